package io.timeshift.pve.api.error;

import io.timeshift.common.error.EnvironmentException;
import java.util.List;
import java.util.Optional;

/**
 * HTTP 403 ({@code Permission check failed (/vms/105, VM.Config.Options)}), or a root-only option
 * ({@code only root can set 'hookscript' config}, which PVE raises as a plain 500). The ACL path and
 * the missing privileges are parsed out so the message can say what to grant. Exit 3.
 */
public class PvePermissionException extends EnvironmentException implements PveError {
    /** Pseudo-privilege used when PVE requires the literal user {@code root@pam}. */
    public static final String ROOT_PAM = "root@pam";

    private final PveFailure failure;
    private final String aclPath;
    private final List<String> privileges;

    public PvePermissionException(String operation, int status, String pveMessage, String aclPath,
            List<String> privileges) {
        super(ErrorText.prefix(operation) + describe(aclPath, privileges) + " ("
                + ErrorText.firstLine(pveMessage) + ")");
        this.failure = PveFailure.answered(operation, status, pveMessage);
        this.aclPath = aclPath;
        this.privileges = List.copyOf(privileges);
    }

    private static String describe(String aclPath, List<String> privileges) {
        if (privileges.contains(ROOT_PAM)) {
            return "permission denied: only the user root@pam may do this (an API token, even root@pam!id,"
                    + " is not root@pam): run on the node as root (pvesh) or log in as root@pam with a password";
        }
        if (privileges.isEmpty()) {
            return "permission denied";
        }
        String privs = String.join(" or ", privileges);
        return "permission denied: needs " + privs + (aclPath == null ? "" : " on " + aclPath)
                + "; grant it to the user/token (pveum acl modify " + (aclPath == null ? "<path>" : aclPath)
                + " --roles <role with " + privileges.get(0) + "> ...)";
    }

    /** The ACL path from PVE's message, e.g. {@code /vms/105}, if it named one. */
    public Optional<String> aclPath() {
        return Optional.ofNullable(aclPath);
    }

    /**
     * The privileges PVE asked for (any one of them suffices when there are several), e.g.
     * {@code [VM.Config.Options]}; {@code [root@pam]} for root-only options; empty when PVE did not say.
     */
    public List<String> privileges() {
        return privileges;
    }

    @Override
    public PveFailure failure() {
        return failure;
    }
}

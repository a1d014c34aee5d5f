package io.timeshift.pve.api.error;

import io.timeshift.pve.api.error.PveConflictException.Reason;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one failed PVE answer into exactly one typed exception. Both transports use it: the HTTPS
 * transport with the HTTP status, PVE's message (body {@code message}, else the reason phrase) and
 * the {@code errors} map; the pvesh transport with what it parsed from stderr (status 0 when pvesh
 * printed a plain {@code die} without a code).
 *
 * <p><b>Why by message:</b> PVE raises most conditions as a plain {@code die "...\n"}, which the API
 * server turns into HTTP 500 whose reason phrase is the first line of the text. Only parameter
 * errors (400), permission errors (403) and authentication (401) have their own status. So the
 * order below matters: status 401 first, then message patterns, then the status fallbacks.
 *
 * <p><b>Matched upstream messages</b> (each pattern is case-sensitive, as PVE writes them, and
 * anchored on the fixed part of the text so a VM name or note that happens to contain words like
 * "locked" cannot match):
 * <ul>
 *   <li>{@code Permission check failed (/vms/105, VM.Config.Options)}: pve-common
 *       {@code PVE::Exception::raise_perm_exc("$path, $priv")}, 403; several privileges are joined
 *       with {@code |} by {@code RPCEnvironment::check_any}; {@code Permission check failed} alone
 *       when no detail is given; {@code Permission check failed (user != root@pam)}.</li>
 *   <li>{@code only root can set 'hookscript' config}: qemu-server API2/Qemu.pm
 *       {@code $check_vm_modify_config_perm}, plain die (500).</li>
 *   <li>{@code checksum mismatch (file change by other user?)}: qemu-server update_vm (digest);
 *       {@code detected modified configuration - file change by other user? Try again.}: pve-common
 *       {@code PVE::Tools::assert_if_modified} (storage/cluster config digests).</li>
 *   <li>{@code VM is locked (backup)} / {@code CT is locked (...)}: pve-common
 *       {@code AbstractConfig::check_lock}: {@code guest_type() . " is locked ($lock)"}.</li>
 *   <li>{@code can't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout}: pve-common
 *       {@code PVE::Tools::lock_file_full} + {@code run_with_timeout} ("got timeout").</li>
 *   <li>{@code cfs-lock 'file-user_cfg' error: got lock request timeout} and
 *       {@code cfs-lock 'file-user_cfg' error: no quorum!}: pve-cluster {@code cfs_lock} prefixes
 *       errors of the locking machinery with {@code cfs-lock '$lockid' error: }.</li>
 *   <li>{@code cluster not ready - no quorum?}: pve-cluster {@code check_cfs_quorum}.</li>
 *   <li>{@code VM 105 not running} (qemu-server {@code check_running}/monitor) and
 *       {@code VM 105 is not running} (qemu-server Agent.pm {@code assert_agent_available}).</li>
 *   <li>{@code QEMU guest agent is not running}, {@code No QEMU guest agent configured}: qemu-server
 *       Agent.pm.</li>
 *   <li>{@code Configuration file 'nodes/pve1/qemu-server/105.conf' does not exist}: pve-common
 *       {@code AbstractConfig::load_config}; {@code storage 'x' does not exist} (older pve-storage:
 *       {@code does not exists}); {@code no such resource '/x'}: pvesh.</li>
 *   <li>401 ({@code authentication failure}, {@code permission denied - invalid PVE ticket},
 *       {@code No ticket}, {@code Permission denied - invalid csrf token}): all are authentication.</li>
 *   <li>400 {@code Parameter verification failed.}: pve-common {@code raise_param_exc}, with the
 *       {@code errors} map.</li>
 *   <li>595/596 from pveproxy's proxy to another node ({@code 596 Connection timed out},
 *       {@code 596 Broken pipe}, {@code 595 Connection refused}; AnyEvent::HTTP status codes) and
 *       any other 5xx: server errors.</li>
 * </ul>
 *
 * <p>How to extend: add the upstream text (and where it comes from) to the list above, a pattern
 * below, and a row to {@code PveErrorClassifierTest} with the real string.
 */
public final class PveErrorClassifier {
    private static final Pattern PERMISSION = Pattern.compile("^Permission check failed(?: \\((.*)\\))?");
    private static final Pattern PERMISSION_DETAIL = Pattern.compile("^(/[^,]*), ([A-Za-z0-9.|]+)$");
    private static final Pattern ROOT_ONLY = Pattern.compile("only root can set '([^']+)' config");
    private static final Pattern DIGEST = Pattern.compile(
            "checksum mismatch \\(file change by other user\\?\\)|detected modified configuration - file change by other user\\?");
    private static final Pattern LOCKED = Pattern.compile("\\b(?:VM|CT) is locked \\(([^)]+)\\)");
    private static final Pattern LOCK_TIMEOUT = Pattern.compile(
            "can't lock file '[^']*' - got timeout|cfs-lock '[^']*' error: got lock (?:request )?timeout");
    private static final Pattern NO_QUORUM = Pattern.compile(
            "cfs-lock '[^']*' error: no quorum!|cluster not ready - no quorum\\?");
    private static final Pattern VM_NOT_RUNNING = Pattern.compile("\\bVM \\d+ (?:is )?not running\\b");
    private static final Pattern AGENT_NOT_RUNNING = Pattern.compile("QEMU guest agent is not running");
    private static final Pattern AGENT_NOT_CONFIGURED = Pattern.compile("No QEMU guest agent configured");
    private static final Pattern NOT_FOUND = Pattern.compile(
            "Configuration file '[^']+' does not exist|storage '[^']+' does not exists?|no such resource '[^']*'");

    private PveErrorClassifier() {
    }

    /**
     * Classify one failed answer.
     *
     * @param operation what was attempted, for the message ({@code "GET /nodes/pve1/qemu/105/config"})
     * @param status    HTTP status, or 0 when there was none (pvesh plain die)
     * @param message   PVE's message, possibly several lines; may be null or empty
     * @param errors    PVE's {@code errors} field map; may be empty
     * @return the typed exception (never null); the caller throws it
     */
    public static RuntimeException classify(String operation, int status, String message, Map<String, String> errors) {
        String msg = message == null ? "" : message.strip();
        Map<String, String> errs = errors == null ? Map.of() : errors;
        String all = errs.isEmpty() ? msg : msg + "\n" + String.join("\n", errs.values());
        String shown = msg.isEmpty() ? defaultText(status) : msg;

        if (status == 401) {
            return new PveAuthException(operation, status, shown);
        }
        if (DIGEST.matcher(all).find()) {
            return new PveConflictException(operation, status, firstMatchingLine(all, DIGEST, shown), Reason.DIGEST_MISMATCH);
        }
        Matcher perm = PERMISSION.matcher(msg);
        boolean permFound = perm.find();
        if (status == 403 || permFound) {
            return permission(operation, status, shown, permFound ? perm.group(1) : null);
        }
        Matcher root = ROOT_ONLY.matcher(all);
        if (root.find()) {
            return new PvePermissionException(operation, status, root.group(), null,
                    List.of(PvePermissionException.ROOT_PAM));
        }
        if (status == 400) {
            return new PveParameterException(operation, status, shown, errs);
        }
        Reason reason = conflictReason(all);
        if (reason != null) {
            return new PveConflictException(operation, status, shown, reason);
        }
        if (status == 404 || NOT_FOUND.matcher(all).find()) {
            return new PveNotFoundException(operation, status, shown);
        }
        return new PveServerException(operation, status, shown);
    }

    private static Reason conflictReason(String text) {
        if (LOCKED.matcher(text).find()) {
            return Reason.LOCKED;
        }
        if (LOCK_TIMEOUT.matcher(text).find()) {
            return Reason.LOCK_TIMEOUT;
        }
        if (NO_QUORUM.matcher(text).find()) {
            return Reason.NO_QUORUM;
        }
        if (AGENT_NOT_CONFIGURED.matcher(text).find()) {
            return Reason.AGENT_NOT_CONFIGURED;
        }
        if (AGENT_NOT_RUNNING.matcher(text).find()) {
            return Reason.AGENT_NOT_RUNNING;
        }
        if (VM_NOT_RUNNING.matcher(text).find()) {
            return Reason.VM_NOT_RUNNING;
        }
        return null;
    }

    private static PvePermissionException permission(String operation, int status, String shown, String detail) {
        String path = null;
        List<String> privs = List.of();
        if (detail != null) {
            Matcher m = PERMISSION_DETAIL.matcher(detail.strip());
            if (m.matches()) {
                path = m.group(1);
                privs = Arrays.stream(m.group(2).split("\\|")).filter(s -> !s.isEmpty()).toList();
            } else if (detail.contains("root@pam")) {
                privs = List.of(PvePermissionException.ROOT_PAM);
            }
        }
        return new PvePermissionException(operation, status, shown, path, privs);
    }

    private static String firstMatchingLine(String text, Pattern p, String fallback) {
        for (String line : text.split("\\R")) {
            if (p.matcher(line).find()) {
                return line.strip();
            }
        }
        return fallback;
    }

    private static String defaultText(int status) {
        return switch (status) {
            case 0 -> "failed without a message";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "HTTP " + status;
        };
    }
}

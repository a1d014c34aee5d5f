package io.timeshift.pve.api.transport;

import io.timeshift.common.error.InvalidInputException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Ticket login with user and password (and, when the user has TOTP, a code): POST
 * {@code /access/ticket}; the ticket goes into the {@code PVEAuthCookie} cookie and non-GET
 * requests carry the {@code CSRFPreventionToken} header. This is the only way to act as the user
 * {@code root@pam} remotely (required to set {@code hookscript}).
 *
 * @param username     {@code user@realm}, e.g. {@code root@pam}
 * @param password     the password
 * @param totpSupplier supplies a fresh 6-digit TOTP code when PVE asks for one ({@code NeedTFA});
 *                     called at most once per login; null when the user has no TFA
 */
public record PasswordLogin(String username, Secret password, Supplier<String> totpSupplier) implements PveCredentials {
    /** pve-access-control {@code verify_username}: {@code ^($user_regex)@($realm_regex)$} (docs/pve-facts.md §5.2). */
    private static final Pattern USER = Pattern.compile(UserIds.USER + "@" + UserIds.REALM);

    public PasswordLogin {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (!USER.matcher(username).matches()) {
            throw new InvalidInputException("user '" + UserIds.shown(username) + "' is not valid; expected user@realm, e.g. root@pam");
        }
        if (password.isEmpty()) {
            throw new InvalidInputException("password for " + username + " is empty");
        }
    }

    /** Password read from a file only its owner may read. */
    public static PasswordLogin fromFile(String username, Path passwordFile, Supplier<String> totpSupplier) {
        return new PasswordLogin(username, SecretFiles.readOwnerOnly(passwordFile, "password file"), totpSupplier);
    }

    @Override
    public String toString() {
        return "PasswordLogin[" + username + ", password=****" + (totpSupplier != null ? ", totp" : "") + "]";
    }
}

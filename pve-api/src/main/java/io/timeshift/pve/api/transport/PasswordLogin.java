package io.timeshift.pve.api.transport;

import io.timeshift.pve.error.InvalidInputException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
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
    private static final Pattern USER = Pattern.compile("[^\\s@:!]+@[A-Za-z][A-Za-z0-9.\\-_]*");

    public PasswordLogin {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (!USER.matcher(username).matches()) {
            throw new InvalidInputException("user '" + username + "' is not valid; expected user@realm, e.g. root@pam");
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

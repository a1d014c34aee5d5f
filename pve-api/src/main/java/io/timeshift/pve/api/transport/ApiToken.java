package io.timeshift.pve.api.transport;

import io.timeshift.common.error.InvalidInputException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An API token: {@code Authorization: PVEAPIToken=user@realm!tokenid=secret} (pve-docs pveum.adoc).
 * Requests with a token need no CSRF token. Note: a token of root@pam ({@code root@pam!x}) is not
 * the user root@pam, so it cannot set {@code hookscript}/{@code args} (docs/pve-facts.md §5.4).
 *
 * <p>Token ids are read as pve-access-control reads them (docs/pve-facts.md §5.2): the user name is
 * anything without white space, {@code :} or {@code /} (so {@code john@example.com@oidc!ci} is user
 * {@code john@example.com} in realm {@code oidc}), realm and token name are a letter and then at least one
 * of letters, digits, {@code . - _}; the secret is what follows the last {@code =}. The header value is
 * percent-encoded where the server would otherwise cut or decode it ({@code ;}, {@code %}, bytes outside
 * printable ASCII), since pve-http-server reads it up to the first {@code ;} and URI-unescapes it.
 *
 * @param tokenId {@code user@realm!tokenid}
 * @param secret  the token secret (a UUID in practice)
 */
public record ApiToken(String tokenId, Secret secret) implements PveCredentials {
    /** Environment variable that may hold the token ({@code user@realm!id=secret}). */
    public static final String ENV = "TIME_SHIFT_PVE_TOKEN";

    /** pve-access-control {@code $token_full_regex}: {@code $user_regex @ $realm_regex ! $realm_regex}. */
    private static final Pattern TOKEN_ID = Pattern.compile(UserIds.USER + "@" + UserIds.REALM + "!" + UserIds.REALM);
    private static final String FORM = "user@realm!tokenid=secret";

    public ApiToken {
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(secret, "secret");
        if (!TOKEN_ID.matcher(tokenId).matches()) {
            throw new InvalidInputException("API token id '" + UserIds.shown(tokenId) + "' is not valid; expected user@realm!tokenid");
        }
        if (secret.isEmpty() || secret.reveal().chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidInputException("API token secret for " + UserIds.shown(tokenId) + " is empty or contains white space");
        }
    }

    /**
     * Parse {@code user@realm!tokenid=secret}, split at the last {@code =} as pve-access-control's
     * {@code verify_token} does ({@code ^(.*)=(.*)$}); {@code source} names where it came from, for messages.
     */
    public static ApiToken parse(Secret full, String source) {
        String s = full.reveal().strip();
        int eq = s.lastIndexOf('=');
        if (eq <= 0 || eq == s.length() - 1) {
            throw new InvalidInputException(source + " must hold " + FORM + " (one line)");
        }
        return new ApiToken(s.substring(0, eq), Secret.of(s.substring(eq + 1)));
    }

    /** Read {@code user@realm!tokenid=secret} from a file that only its owner may read. */
    public static ApiToken fromFile(Path file) {
        return parse(SecretFiles.readOwnerOnly(file, "token file"), "token file " + file);
    }

    /** Read the token from {@value #ENV} in {@code env}; throws if unset. */
    public static ApiToken fromEnvironment(Map<String, String> env) {
        String v = env.get(ENV);
        if (v == null || v.isBlank()) {
            throw new InvalidInputException(ENV + " is not set; set it to " + FORM + " or use --token-file");
        }
        return parse(Secret.of(v), "environment variable " + ENV);
    }

    /** The header value. Only for the wire. */
    String headerValue() {
        return "PVEAPIToken=" + UserIds.headerEscape(tokenId) + "=" + UserIds.headerEscape(secret.reveal());
    }

    @Override
    public String toString() {
        return "PVEAPIToken=" + tokenId + "=****";
    }
}

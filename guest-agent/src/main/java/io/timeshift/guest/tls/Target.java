package io.timeshift.guest.tls;

import io.timeshift.guest.error.InvalidInputException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A probe target as the contract accepts it: {@code host}, {@code host:port} or
 * {@code https://host[:port][/path]}; IPv6 literals in brackets. The default port is 443.
 * {@link #input()} is echoed back in reports so callers can match results to arguments.
 */
public record Target(String input, String host, int port) {
    public static final String VALID_FORMS = "host, host:port or https://host[:port] (IPv6 as [::1]:443)";
    private static final Pattern FORM = Pattern.compile(
            "(?:(?<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://)?(?:\\[(?<v6>[0-9a-fA-F:.%a-zA-Z]+)]|(?<host>[^:/\\[\\]\\s@]+))(?::(?<port>\\d{1,5}))?(?:/\\S*)?");

    /** @throws InvalidInputException naming the valid forms */
    public static Target parse(String input) {
        Matcher m = FORM.matcher(input == null ? "" : input.trim());
        if (!m.matches()) {
            throw new InvalidInputException("target '" + input + "' is not " + VALID_FORMS);
        }
        String scheme = m.group("scheme");
        if (scheme != null && !scheme.toLowerCase(Locale.ROOT).equals("https")) {
            throw new InvalidInputException("target '" + input + "': only https:// URLs can be probed; use " + VALID_FORMS);
        }
        int port = 443;
        if (m.group("port") != null) {
            port = Integer.parseInt(m.group("port"));
            if (port < 1 || port > 65535) {
                throw new InvalidInputException("target '" + input + "': port must be 1-65535");
            }
        }
        String host = m.group("v6") != null ? m.group("v6") : m.group("host");
        return new Target(input.trim(), host, port);
    }

    /** True for IP literals, which must not be sent as SNI (RFC 6066 §3). */
    public boolean hostIsIpLiteral() {
        return host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    @Override
    public String toString() {
        return input;
    }
}

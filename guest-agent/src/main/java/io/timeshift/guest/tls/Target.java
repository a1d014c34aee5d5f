package io.timeshift.guest.tls;

import io.timeshift.common.error.InvalidInputException;
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
        if (!m.matches() || hasControl(input)) {
            throw new InvalidInputException("target '" + shown(input) + "' is not " + VALID_FORMS);
        }
        String scheme = m.group("scheme");
        if (scheme != null && !scheme.toLowerCase(Locale.ROOT).equals("https")) {
            throw new InvalidInputException("target '" + shown(input) + "': only https:// URLs can be probed; use " + VALID_FORMS);
        }
        if (scheme == null && input.trim().indexOf('/') >= 0) {
            // a path belongs to a URL (copied from a browser), not to host[:port]
            throw new InvalidInputException("target '" + shown(input) + "' is not " + VALID_FORMS);
        }
        int port = 443;
        if (m.group("port") != null) {
            port = Integer.parseInt(m.group("port"));
            if (port < 1 || port > 65535) {
                throw new InvalidInputException("target '" + shown(input) + "': port must be 1-65535");
            }
        }
        String host = m.group("v6") != null ? m.group("v6") : m.group("host");
        return new Target(input.trim(), host, port);
    }

    /** For messages: control characters escaped, so the error stays one line. */
    private static String shown(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0 || c == '\u2028' || c == '\u2029'
                    ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return s.length() > 80 ? b.append("...").toString() : b.toString();
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f) {
                return true; // blanks at the ends are trimmed; one inside fails the form
            }
        }
        return false;
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

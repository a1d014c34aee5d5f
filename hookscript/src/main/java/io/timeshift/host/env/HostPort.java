package io.timeshift.host.env;

import io.timeshift.common.error.InvalidInputException;

import java.util.Locale;

/**
 * A network endpoint typed by an admin: {@code host}, {@code host:port} or {@code https://host[:port]}
 * (a path after an https URL is allowed and ignored, as when a BMC's address is copied from a browser);
 * an IPv6 literal in brackets ({@code [fe80::1]:443}); ports 1 to 65535. The same forms as the guest's
 * {@code time-shift-guest probe} targets (guest-agent tls.Target), which the host passes them to.
 * Anything else is exit 2 naming the option. Hand-matched, no regex; never throws anything else.
 *
 * @param host the host name or IP literal (IPv6 without its brackets)
 * @param port 1..65535
 */
public record HostPort(String host, int port) {
    public static final String TARGET_FORMS = "host, host:port or https://host[:port] (IPv6 as [::1]:443; port 1-65535)";
    public static final String REMOTE_FORMS = "https://host[:port] (IPv6 as https://[::1]:8006; port 1-65535)";

    /** A {@code --target}: default port 443, the scheme optional. */
    public static HostPort target(String option, String text) {
        return parse(option, text, 443, false);
    }

    /** A {@code --remote}: {@code https://} required, default port 8006, no path. */
    public static HostPort remote(String option, String text) {
        return parse(option, text, 8006, true);
    }

    private static HostPort parse(String option, String text, int defaultPort, boolean remote) {
        String forms = remote ? REMOTE_FORMS : TARGET_FORMS;
        if (text == null || text.isEmpty()) {
            throw new InvalidInputException(option + ": empty; use " + forms);
        }
        String shown = shown(text);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                throw new InvalidInputException(option + ": '" + shown + "' contains a blank or control character;"
                        + " use " + forms);
            }
        }
        String rest = text;
        boolean https = false;
        int scheme = rest.indexOf("://");
        if (scheme >= 0) {
            String s = rest.substring(0, scheme);
            if (!s.toLowerCase(Locale.ROOT).equals("https")) {
                throw new InvalidInputException(option + ": '" + shown + "': only https:// is supported; use " + forms);
            }
            https = true;
            rest = rest.substring(scheme + 3);
        } else if (remote) {
            throw new InvalidInputException(option + ": '" + shown + "' must start with https://; use " + forms);
        }
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String path = rest.substring(slash);
            if (!https || (remote && !path.equals("/"))) {
                throw new InvalidInputException(option + ": '" + shown + "' has a path; use " + forms);
            }
            rest = rest.substring(0, slash);
        }
        if (rest.indexOf('@') >= 0 || rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
            throw new InvalidInputException(option + ": '" + shown + "' is not " + forms);
        }
        String host;
        String port = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new InvalidInputException(option + ": '" + shown + "': an IPv6 address needs its closing ]; use " + forms);
            }
            host = rest.substring(1, close);
            if (!ipv6Chars(host)) {
                throw new InvalidInputException(option + ": '" + shown + "': '[" + shown(host) + "]' is not an IPv6 address;"
                        + " use " + forms);
            }
            String after = rest.substring(close + 1);
            if (!after.isEmpty()) {
                if (after.charAt(0) != ':') {
                    throw new InvalidInputException(option + ": '" + shown + "' is not " + forms);
                }
                port = after.substring(1);
            }
        } else {
            int colon = rest.indexOf(':');
            if (colon >= 0) {
                host = rest.substring(0, colon);
                port = rest.substring(colon + 1);
                if (port.indexOf(':') >= 0) {
                    throw new InvalidInputException(option + ": '" + shown + "': an IPv6 address goes in brackets, e.g."
                            + " [fe80::1]:443; use " + forms);
                }
            } else {
                host = rest;
            }
            if (host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
                throw new InvalidInputException(option + ": '" + shown + "' is not " + forms);
            }
        }
        if (host.isEmpty()) {
            throw new InvalidInputException(option + ": '" + shown + "' has no host; use " + forms);
        }
        int p = defaultPort;
        if (port != null) {
            p = port(port);
            if (p < 0) {
                throw new InvalidInputException(option + ": '" + shown + "': port '" + shown(port)
                        + "' is not a number from 1 to 65535");
            }
        }
        return new HostPort(host, p);
    }

    /** 1..65535 written in at most 5 ASCII digits, or -1. */
    public static int port(String s) {
        if (s.isEmpty() || s.length() > 5) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v >= 1 && v <= 65535 ? v : -1;
    }

    private static boolean ipv6Chars(String h) {
        if (h.isEmpty() || h.indexOf(':') < 0) {
            return false;
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            boolean ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == ':' || c == '.'
                    || c == '%';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** For messages: control characters escaped, at most 80 characters. */
    static String shown(String text) {
        StringBuilder b = new StringBuilder();
        int n = Math.min(text.length(), 80);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return n < text.length() ? b.append("...").toString() : b.toString();
    }
}

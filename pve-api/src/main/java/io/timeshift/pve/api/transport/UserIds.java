package io.timeshift.pve.api.transport;

import java.nio.charset.StandardCharsets;

/**
 * User and token ids as pve-access-control reads them ({@code PVE/Auth/Plugin.pm} {@code $user_regex},
 * {@code $realm_regex}; {@code PVE/AccessControl.pm} {@code $token_full_regex}; docs/pve-facts.md §5.2).
 */
final class UserIds {
    /** {@code $user_regex}: anything but white space, {@code :} and {@code /}; {@code @} and {@code !} included. */
    static final String USER = "[^\\s:/]+";
    /** {@code $realm_regex}, also the token name ({@code $token_subid_regex}): at least two characters. */
    static final String REALM = "[A-Za-z][A-Za-z0-9.\\-_]+";

    private UserIds() {
    }

    /**
     * The text for an {@code Authorization} header value that pve-http-server reads back unchanged: it takes
     * the value up to the first {@code ;} and URI-unescapes it, so {@code ;}, {@code %} and everything outside
     * printable ASCII is sent as {@code %XX} of its UTF-8 bytes.
     */
    static String headerEscape(String s) {
        StringBuilder out = null;
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = b > 0x20 && b < 0x7f && b != ';' && b != '%';
            if (plain && out == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(bytes.length + 16);
                out.append(new String(bytes, 0, i, StandardCharsets.US_ASCII));
            }
            if (plain) {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out == null ? s : out.toString();
    }

    /** {@code s} for a message: control characters as {@code \\uXXXX}. */
    static String shown(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}

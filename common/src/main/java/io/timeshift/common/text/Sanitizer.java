package io.timeshift.common.text;

/**
 * The one place where text from outside (files on pmxcfs and /var, guest agent and API replies, argv,
 * environment) is made safe to echo in a message, a stderr line or an audit field: every such text
 * stays on one line, cannot drive a terminal, and is cut to a sane length.
 *
 * <p>Rules (the same everywhere): {@code \n}, {@code \r}, {@code \t} become the two characters
 * {@code \n}, {@code \r}, {@code \t}; every other control character (C0 including NUL, DEL, C1), the
 * Unicode line/paragraph separators, the bidirectional controls and lone surrogates become
 * {@code \}{@code uXXXX} (lower-case hex, so ESC is {@code \}{@code u001b}); everything else is kept.
 * A result longer than the limit is cut to {@code limit - 1} characters plus {@code …} (never inside an
 * escape or a surrogate pair). Backslashes are not doubled: the result is for people, not a parser,
 * and a sanitized text sanitizes to itself ({@code value(value(s)).equals(value(s))}).
 *
 * <p>No regex, no lambdas: used on the hook path.
 */
public final class Sanitizer {
    /** Longest echoed value (a field's value, a guest's error text, an OS name). */
    public static final int VALUE_MAX = 200;
    /** Longest message line (a whole exception message or stderr line, several values in it). */
    public static final int LINE_MAX = 1000;
    /** Marks a cut. */
    public static final char ELLIPSIS = '\u2026';

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Sanitizer() {
    }

    /** An echoed value: escaped, at most {@link #VALUE_MAX} characters; "null" for null. */
    public static String value(CharSequence s) {
        return escape(s, VALUE_MAX);
    }

    /** A whole message line: escaped, at most {@link #LINE_MAX} characters; "null" for null. */
    public static String line(CharSequence s) {
        return escape(s, LINE_MAX);
    }

    /** True when {@code c} is escaped by this class (an unpaired surrogate is checked by the caller). */
    public static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u200e' || c == '\u200f' || c == '\u061c';
    }

    /** Escaped per the class rules and cut to {@code limit} characters (limit ≥ 8). */
    public static String escape(CharSequence s, int limit) {
        if (s == null) {
            return "null";
        }
        if (limit < 8) {
            throw new IllegalArgumentException("limit " + limit + " < 8");
        }
        int n = s.length();
        if (n <= limit && clean(s)) {
            return s.toString();
        }
        StringBuilder out = new StringBuilder(Math.min(n, limit) + 8);
        int fit = 0; // longest output (at a character boundary) that leaves room for the ellipsis
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(i + 1));
                i++;
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (needsEscape(c) || Character.isSurrogate(c)) {
                out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                        .append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
            if (out.length() < limit) {
                fit = out.length();
            } else if (out.length() > limit) {
                out.setLength(fit); // never cut inside an escape or a surrogate pair
                return out.append(ELLIPSIS).toString();
            }
        }
        return out.toString();
    }

    private static boolean clean(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (needsEscape(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}

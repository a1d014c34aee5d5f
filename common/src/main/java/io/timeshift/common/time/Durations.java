package io.timeshift.common.time;

import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.text.Sanitizer;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The contract's {@code <duration>}, the one grammar of the host and the guest (CLI options and every
 * file: policy, node config, the guest's policy.json). Accepted, with an optional leading sign:
 * <ul>
 *   <li>short: {@code <n>ms|s|m|h|d|w|y} in lower case ({@code 2s}, {@code -3y}; {@code 1M} would read as a month
 *       to some, so upper-case units are refused rather than guessed);</li>
 *   <li>ISO-8601: {@code PT2S}, {@code -P1095D}, {@code PT1H30M}, and {@code P<n>W}, {@code P<n>Y}
 *       (a week is 7 days, a year 365: an offset is one fixed number, not a calendar rule).</li>
 * </ul>
 * Bounds: within {@link TimeBounds#DURATION_RANGE} (±100 years); anything else is exit 2 naming the
 * field. Parsed by hand (no regex: this runs on the hook path, a fresh JVM per VM phase).
 */
public final class Durations {
    public static final String VALID_FORMS = "ISO-8601 like -P1095D or PT2S, or short like -3y, -90d, 12h, 2s, 500ms";
    private static final int MAX_DIGITS = 13; // 100 years in ms has 13 digits

    private Durations() {
    }

    /** @throws InvalidInputException naming {@code field}, the text and the valid forms */
    public static Duration parse(String text, String field) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(field + ": empty duration (use " + VALID_FORMS + ")");
        }
        String t = text.trim();
        Duration d = parseSimple(t);
        if (d == null) {
            try {
                d = Duration.parse(t);
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new InvalidInputException(field + ": '" + Sanitizer.value(text) + "' is not a duration (use " + VALID_FORMS + ")");
            }
        }
        if (!TimeBounds.inRange(d)) {
            throw new InvalidInputException(field + ": '" + Sanitizer.value(text) + "' is beyond 100 years (durations lie within "
                    + TimeBounds.DURATION_RANGE + ")");
        }
        return d;
    }

    /**
     * The one-number forms, by hand: {@code [±]<n>(ms|s|m|h|d|w|y)} and {@code [±]P<n>(D|W|Y)},
     * {@code [±]PT<n>(H|M|S)}; null for anything else (then ISO-8601 at large is tried).
     */
    static Duration parseSimple(String t) {
        int i = 0;
        boolean neg = false;
        if (i < t.length() && (t.charAt(i) == '-' || t.charAt(i) == '+')) {
            neg = t.charAt(i) == '-';
            i++;
        }
        boolean iso = false;
        boolean time = false;
        if (i < t.length() && (t.charAt(i) == 'P' || t.charAt(i) == 'p')) {
            iso = true;
            i++;
            if (i < t.length() && (t.charAt(i) == 'T' || t.charAt(i) == 't')) {
                time = true;
                i++;
            }
        }
        int start = i;
        while (i < t.length() && i - start <= MAX_DIGITS && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
            i++;
        }
        if (i == start || i == t.length() || i - start > MAX_DIGITS) {
            return null;
        }
        long n = Long.parseLong(t.substring(start, i));
        String unit = iso ? t.substring(i).toLowerCase(Locale.ROOT) : t.substring(i);
        Duration d;
        try {
            if (iso) {
                d = time ? switch (unit) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> null;
                } : switch (unit) {
                    case "d" -> Duration.ofDays(n);
                    case "w" -> Duration.ofDays(Math.multiplyExact(7L, n));
                    case "y" -> Duration.ofDays(Math.multiplyExact(365L, n));
                    default -> null;
                };
            } else {
                d = switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    case "d" -> Duration.ofDays(n);
                    case "w" -> Duration.ofDays(Math.multiplyExact(7L, n));
                    case "y" -> Duration.ofDays(Math.multiplyExact(365L, n));
                    default -> null;
                };
            }
        } catch (ArithmeticException e) {
            return null; // beyond Duration: the caller's Duration.parse fails with the one message
        }
        return d == null ? null : neg ? d.negated() : d;
    }

    /** ISO-8601 text as the contract writes it ({@code PT2S}, {@code -PT26280H}): one leading sign, read back by {@link #parse}. */
    public static String format(Duration d) {
        // Duration.toString() puts the sign on each unit ("PT-26280H")
        return d.isNegative() ? "-" + d.negated() : d.toString();
    }

    /** Human form for reports: 250ms, 1.5s, 3m, 4h, 3d. */
    public static String human(Duration d) {
        Duration a = d.abs();
        String sign = d.isNegative() ? "-" : "";
        if (a.compareTo(Duration.ofSeconds(1)) < 0) {
            return sign + a.toMillis() + "ms";
        }
        if (a.compareTo(Duration.ofMinutes(2)) < 0) {
            long ms = a.toMillis();
            return sign + (ms % 1000 == 0 ? (ms / 1000) + "s" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0));
        }
        if (a.compareTo(Duration.ofHours(2)) < 0) {
            return sign + a.toMinutes() + "m";
        }
        if (a.compareTo(Duration.ofDays(2)) < 0) {
            return sign + a.toHours() + "h";
        }
        return sign + a.toDays() + "d";
    }
}

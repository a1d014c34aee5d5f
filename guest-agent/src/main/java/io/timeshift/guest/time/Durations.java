package io.timeshift.guest.time;

import io.timeshift.guest.error.InvalidInputException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the contract's {@code <duration>}: ISO-8601 ({@code PT2S}, {@code -P1095D}) or the short
 * forms {@code 500ms}, {@code 2s}, {@code 5m}, {@code 3h}, {@code -90d}, {@code 2w}, {@code -3y}
 * (a year is 365 days).
 */
public final class Durations {
    public static final String VALID_FORMS = "ISO-8601 like PT2S or -P1095D, or 500ms, 2s, 5m, 3h, -90d, 2w, -3y";
    private static final Pattern SHORT = Pattern.compile("([+-]?)(\\d{1,12})(ms|s|m|h|d|w|y)");

    private Durations() {
    }

    /** @throws InvalidInputException naming {@code what} and the valid forms */
    public static Duration parse(String text, String what) {
        String t = text == null ? "" : text.trim();
        Matcher m = SHORT.matcher(t.toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(2));
                Duration d = switch (m.group(3)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    case "d" -> Duration.ofDays(n);
                    case "w" -> Duration.ofDays(7 * n);
                    default -> Duration.ofDays(365 * n);
                };
                return "-".equals(m.group(1)) ? d.negated() : d;
            }
            return Duration.parse(t);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new InvalidInputException(what + ": '" + text + "' is not a duration; use " + VALID_FORMS);
        }
    }

    /** Human form for reports: 1.5s, 250ms, 3d 4h. */
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

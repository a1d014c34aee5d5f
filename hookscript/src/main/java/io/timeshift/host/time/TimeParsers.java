package io.timeshift.host.time;

import io.timeshift.pve.error.InvalidInputException;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the contract's {@code <when>} and {@code <duration>} forms. Messages name the field and show
 * the valid forms, so callers can pass them straight to the user.
 */
public final class TimeParsers {
    public static final String WHEN_FORMS = "2021-03-01T12:00:00Z, 2021-03-01T12:00:00 or 2021-03-01";
    public static final String DURATION_FORMS = "ISO-8601 like -P1095D or PT2S, or short like -3y, -90d, 12h, 2s, 500ms";

    /** Years a guest clock may be set to: qemu-ga refuses [2070, ...) with "Invalid time"; before 1970 is not representable. */
    public static final int MIN_YEAR = 1970;
    public static final int MAX_YEAR = 2069;

    private static final Pattern SHORT = Pattern.compile("([+-]?)(\\d{1,9})(ms|s|m|h|d|w|y)");
    private static final Pattern ISO_YEARS = Pattern.compile("([+-]?)P(\\d{1,4})Y");

    private TimeParsers() {
    }

    /**
     * Parses a duration: ISO-8601 ({@code PT2S}, {@code -P1095D}, {@code P3Y} = 3×365 days) or the short
     * forms. A year is 365 days: an offset must be one fixed number, not a calendar rule.
     */
    public static Duration parseDuration(String text, String field) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(field + ": empty duration (use " + DURATION_FORMS + ")");
        }
        String t = text.trim();
        Matcher m = SHORT.matcher(t);
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
        Matcher y = ISO_YEARS.matcher(t.toUpperCase(Locale.ROOT));
        if (y.matches()) {
            Duration d = Duration.ofDays(365L * Long.parseLong(y.group(2)));
            return "-".equals(y.group(1)) ? d.negated() : d;
        }
        try {
            return Duration.parse(t);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(field + ": '" + text + "' is not a duration (use " + DURATION_FORMS + ")");
        }
    }

    /** Parses an instant, a local date-time (in {@code zone}) or a date (midnight in {@code zone}). */
    public static Instant parseWhen(String text, ZoneId zone, String field) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(field + ": empty date (use " + WHEN_FORMS + ")");
        }
        String t = text.trim();
        Instant result;
        try {
            if (t.endsWith("Z") || t.endsWith("z") || t.matches(".*[+-]\\d{2}:\\d{2}$")) {
                result = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(t.toUpperCase(Locale.ROOT), Instant::from);
            } else if (t.contains("T")) {
                result = LocalDateTime.parse(t).atZone(zone).toInstant();
            } else {
                result = LocalDate.parse(t).atStartOfDay(zone).toInstant();
            }
        } catch (DateTimeException e) {
            throw new InvalidInputException(field + ": '" + text + "' is not a date (use " + WHEN_FORMS + ")");
        }
        requireSettableYear(result, field);
        return result;
    }

    public static Instant parseWhen(String text, String field) {
        return parseWhen(text, ZoneOffset.UTC, field);
    }

    /** The guest agent refuses years outside 1970-2069; say so before we get there. */
    public static void requireSettableYear(Instant t, String field) {
        int year = t.atZone(ZoneOffset.UTC).getYear();
        if (year < MIN_YEAR || year > MAX_YEAR) {
            throw new InvalidInputException(field + ": year " + year + " is outside " + MIN_YEAR + "-" + MAX_YEAR
                    + " (the QEMU guest agent cannot set such a time)");
        }
    }

    /** ISO-8601 text of a duration as the contract writes it ({@code PT2S}, {@code -PT26280H}). */
    public static String format(Duration d) {
        // Duration.toString() puts the sign on each unit ("PT-26280H"); the contract's forms carry one
        // leading sign, like "-P1095D", which is also what parseDuration reads back
        return d.isNegative() ? "-" + d.negated() : d.toString();
    }

    /** {@code YYYY-MM-DDTHH:MM:SS} in UTC without zone: the only form Proxmox's {@code startdate} accepts. */
    public static String pveStartdate(Instant t) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC).format(t);
    }

    public static long toEpochNanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    public static Instant fromEpochNanos(long ns) {
        return Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
    }
}

package io.timeshift.host.time;

import io.timeshift.pve.error.InvalidInputException;
import io.timeshift.pve.text.Sanitizer;
import io.timeshift.pve.time.TimeBounds;

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

    /** Compiled only when a duration is not one of the simple forms (regex costs a fresh JVM a few ms). */
    private static final class Holder {
        static final Pattern SHORT = Pattern.compile("([+-]?)(\\d{1,9})(ms|s|m|h|d|w|y)");
        static final Pattern ISO_YEARS = Pattern.compile("([+-]?)P(\\d{1,4})Y");
    }

    private TimeParsers() {
    }

    /**
     * Parses a duration: ISO-8601 ({@code PT2S}, {@code -P1095D}, {@code P3Y} = 3×365 days) or the short
     * forms. A year is 365 days: an offset must be one fixed number, not a calendar rule.
     */
    public static Duration parseDuration(String text, String field) {
        Duration d = parseAnyDuration(text, field);
        if (!TimeBounds.inRange(d)) {
            throw new InvalidInputException(field + ": '" + Sanitizer.value(text) + "' is beyond 100 years (durations lie within "
                    + TimeBounds.DURATION_RANGE + ")");
        }
        return d;
    }

    private static Duration parseAnyDuration(String text, String field) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(field + ": empty duration (use " + DURATION_FORMS + ")");
        }
        String t = text.trim();
        Duration fast = parseSimpleDuration(t);
        if (fast != null) {
            return fast;
        }
        Matcher m = Holder.SHORT.matcher(t);
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
        Matcher y = Holder.ISO_YEARS.matcher(t.toUpperCase(Locale.ROOT));
        if (y.matches()) {
            Duration d = Duration.ofDays(365L * Long.parseLong(y.group(2)));
            return "-".equals(y.group(1)) ? d.negated() : d;
        }
        try {
            return Duration.parse(t);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new InvalidInputException(field + ": '" + Sanitizer.value(text) + "' is not a duration (use " + DURATION_FORMS + ")");
        }
    }

    /**
     * The forms policies are written in, parsed by hand: {@code [-]<n>(ms|s|m|h|d|w|y)} and
     * {@code [-]P<n>D}, {@code [-]PT<n>S}, {@code [-]PT<n>H}, {@code [-]PT<n>M}; null for anything else.
     */
    static Duration parseSimpleDuration(String t) {
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
        while (i < t.length() && i - start < 10 && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i == start || i == t.length()) {
            return null;
        }
        long n = Long.parseLong(t.substring(start, i));
        String unit = t.substring(i);
        Duration d;
        if (iso) {
            if (time) {
                d = switch (unit) {
                    case "S", "s" -> Duration.ofSeconds(n);
                    case "M", "m" -> Duration.ofMinutes(n);
                    case "H", "h" -> Duration.ofHours(n);
                    default -> null;
                };
            } else {
                d = unit.equals("D") || unit.equals("d") ? Duration.ofDays(n) : null;
            }
        } else {
            d = switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(7 * n);
                case "y" -> Duration.ofDays(365 * n);
                default -> null;
            };
        }
        return d == null ? null : neg ? d.negated() : d;
    }

    /** Parses an instant, a local date-time (in {@code zone}) or a date (midnight in {@code zone}). */
    public static Instant parseWhen(String text, ZoneId zone, String field) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(field + ": empty date (use " + WHEN_FORMS + ")");
        }
        String t = text.trim();
        Instant result = parseIsoUtc(t);
        if (result != null) {
            requireSettableYear(result, field);
            return result;
        }
        try {
            if (t.endsWith("Z") || t.endsWith("z") || t.matches(".*[+-]\\d{2}:\\d{2}$")) {
                result = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(t.toUpperCase(Locale.ROOT), Instant::from);
            } else if (t.contains("T")) {
                result = LocalDateTime.parse(t).atZone(zone).toInstant();
            } else {
                result = LocalDate.parse(t).atStartOfDay(zone).toInstant();
            }
        } catch (DateTimeException e) {
            throw new InvalidInputException(field + ": '" + Sanitizer.value(text) + "' is not a date (use " + WHEN_FORMS + ")");
        }
        requireSettableYear(result, field);
        return result;
    }

    public static Instant parseWhen(String text, String field) {
        return parseWhen(text, ZoneOffset.UTC, field);
    }

    /** The guest agent refuses years outside 1970-2069; say so before we get there. */
    public static void requireSettableYear(Instant t, String field) {
        if (TimeBounds.inRange(t)) {
            return;
        }
        long year = t.isBefore(TimeBounds.MIN_INSTANT) ? Math.min(MIN_YEAR - 1, yearOf(t)) : Math.max(MAX_YEAR + 1, yearOf(t));
        throw new InvalidInputException(field + ": year " + year + " is outside " + MIN_YEAR + "-" + MAX_YEAR
                + " (the QEMU guest agent cannot set such a time)");
    }

    private static long yearOf(Instant t) {
        try {
            return java.time.LocalDate.ofEpochDay(Math.floorDiv(t.getEpochSecond(), 86_400L)).getYear();
        } catch (java.time.DateTimeException e) {
            return t.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
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
        String s = iso(Instant.ofEpochSecond(t.getEpochSecond()));
        return s.substring(0, s.length() - 1);
    }

    /**
     * {@code YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z} without java.time's formatter machinery (a fresh JVM pays
     * ~10 ms for DateTimeFormatter's first use, and the hook is a fresh JVM per VM phase); null when
     * the text has another shape.
     */
    public static Instant parseIsoUtc(String t) {
        int n = t.length();
        if (n < 20 || (t.charAt(n - 1) != 'Z' && t.charAt(n - 1) != 'z') || t.charAt(4) != '-' || t.charAt(7) != '-'
                || (t.charAt(10) != 'T' && t.charAt(10) != 't') || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int min = digits(t, 14, 2);
        int sec = digits(t, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || min < 0 || min > 59
                || sec < 0 || sec > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int fracLen = n - 21;
            if (t.charAt(19) != '.' || fracLen < 1 || fracLen > 9) {
                return null;
            }
            int f = digits(t, 20, fracLen);
            if (f < 0) {
                return null;
            }
            nanos = f;
            for (int i = fracLen; i < 9; i++) {
                nanos *= 10;
            }
        }
        long epochDay;
        try {
            epochDay = java.time.LocalDate.of(year, month, day).toEpochDay(); // (not YearMonth: its static init builds a formatter)
        } catch (java.time.DateTimeException e) {
            return null;
        }
        return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3600L + min * 60L + sec, nanos);
    }

    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Parses what {@link #iso(Instant)} (or {@link Instant#toString()}) wrote. */
    public static Instant parseInstant(String t) {
        Instant i = parseIsoUtc(t);
        return i != null ? i : Instant.parse(t);
    }

    /**
     * The same text as {@link Instant#toString()} for years 0000-9999 (UTC, fraction in groups of three
     * digits, none when zero), without DateTimeFormatter.
     */
    public static String iso(Instant t) {
        long secs = t.getEpochSecond();
        long day = Math.floorDiv(secs, 86_400L);
        int sod = (int) Math.floorMod(secs, 86_400L);
        java.time.LocalDate d = java.time.LocalDate.ofEpochDay(day);
        if (d.getYear() < 0 || d.getYear() > 9999) {
            return t.toString();
        }
        StringBuilder sb = new StringBuilder(30);
        pad(sb, d.getYear(), 4).append('-');
        pad(sb, d.getMonthValue(), 2).append('-');
        pad(sb, d.getDayOfMonth(), 2).append('T');
        pad(sb, sod / 3600, 2).append(':');
        pad(sb, sod / 60 % 60, 2).append(':');
        pad(sb, sod % 60, 2);
        int nano = t.getNano();
        if (nano > 0) {
            sb.append('.');
            if (nano % 1_000_000 == 0) {
                pad(sb, nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                pad(sb, nano / 1000, 6);
            } else {
                pad(sb, nano, 9);
            }
        }
        return sb.append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    public static long toEpochNanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    public static Instant fromEpochNanos(long ns) {
        return Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
    }
}

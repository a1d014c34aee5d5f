package io.timeshift.common.time;

import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.text.Sanitizer;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The contract's {@code <when>}, the one grammar of the host and the guest: an instant
 * ({@code 2021-03-01T12:00:00Z}, fraction allowed), an offset date-time ({@code 2021-03-01T17:00:00+05:00}
 * or {@code +0500}), a local date-time in the caller's zone (UTC unless a command says otherwise) or a
 * date (midnight in that zone). Bounds: years {@value #MIN_YEAR}-{@value #MAX_YEAR}, what the QEMU guest
 * agent can set (qemu-ga refuses 2070 and later with "Invalid time"); exit 2 naming the field otherwise.
 */
public final class Whens {
    public static final String VALID_FORMS = "2021-03-01T12:00:00Z, 2021-03-01T12:00:00 or 2021-03-01";
    public static final int MIN_YEAR = 1970;
    public static final int MAX_YEAR = 2069;

    private Whens() {
    }

    /** {@link #parse(String, ZoneId, String)} in UTC. */
    public static Instant parse(String text, String field) {
        return parse(text, ZoneOffset.UTC, field);
    }

    /** @throws InvalidInputException naming {@code field}, the text and the valid forms */
    public static Instant parse(String text, ZoneId zone, String field) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(field + ": empty date (use " + VALID_FORMS + ")");
        }
        String t = text.trim();
        Instant result = Instants.parseIsoUtc(t); // the common form, by hand (no formatter machinery on the hook path)
        if (result == null) {
            try {
                if (t.endsWith("Z") || t.endsWith("z")) {
                    result = Instant.parse(t.toUpperCase(java.util.Locale.ROOT));
                } else if (hasOffset(t)) {
                    result = OffsetDateTime.parse(colonOffset(t)).toInstant();
                } else if (t.length() > 10) {
                    result = LocalDateTime.parse(t).atZone(zone).toInstant();
                } else {
                    result = LocalDate.parse(t).atStartOfDay(zone).toInstant();
                }
            } catch (DateTimeException e) {
                throw new InvalidInputException(field + ": '" + Sanitizer.value(text) + "' is not a date (use " + VALID_FORMS + ")");
            }
        }
        requireSettableYear(result, field);
        return result;
    }

    /** A date-time (has 'T') ending in {@code ±hh:mm} or {@code ±hhmm}. */
    private static boolean hasOffset(String t) {
        int n = t.length();
        if (t.indexOf('T') < 0 && t.indexOf('t') < 0) {
            return false;
        }
        int sign = n >= 6 && t.charAt(n - 3) == ':' ? n - 6 : n - 5;
        if (sign < 0 || (t.charAt(sign) != '+' && t.charAt(sign) != '-')) {
            return false;
        }
        for (int i = sign + 1; i < n; i++) {
            char c = t.charAt(i);
            if ((c < '0' || c > '9') && !(c == ':' && i == n - 3)) {
                return false;
            }
        }
        return true;
    }

    private static String colonOffset(String t) {
        int n = t.length();
        return t.charAt(n - 3) == ':' ? t : t.substring(0, n - 2) + ":" + t.substring(n - 2);
    }

    /** The guest agent refuses years outside {@value #MIN_YEAR}-{@value #MAX_YEAR}; say so before we get there. */
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
            return LocalDate.ofEpochDay(Math.floorDiv(t.getEpochSecond(), 86_400L)).getYear();
        } catch (DateTimeException e) {
            return t.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}

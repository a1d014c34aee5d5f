package io.timeshift.guest.time;

import io.timeshift.guest.error.InvalidInputException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Parses the contract's {@code <when>}: an ISO-8601 instant or offset date-time
 * ({@code 2021-03-01T12:00:00Z}), a local date-time taken as UTC ({@code 2021-03-01T12:00:00}) or a
 * date, meaning midnight UTC ({@code 2021-03-01}).
 */
public final class Whens {
    public static final String VALID_FORMS = "2021-03-01T12:00:00Z, 2021-03-01T12:00:00 (UTC) or 2021-03-01 (midnight UTC)";

    private Whens() {
    }

    /** @throws InvalidInputException naming {@code what} and the valid forms */
    public static Instant parse(String text, String what) {
        String t = text == null ? "" : text.trim();
        try {
            if (t.length() == 10) {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (t.endsWith("Z") || t.endsWith("z")) {
                return Instant.parse(t.toUpperCase());
            }
            if (t.matches(".*[+-]\\d\\d:?\\d\\d$")) {
                return OffsetDateTime.parse(t).toInstant();
            }
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(what + ": '" + text + "' is not a date; use " + VALID_FORMS);
        }
    }
}

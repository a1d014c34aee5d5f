package io.timeshift.common.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timeshift.common.error.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The forms the guest's options used to read differently from the host's: one grammar now (issue 12). */
class GuestParsersTest {
    @ParameterizedTest(name = "\"{0}\" is refused")
    @CsvSource({"2S", "1M", "3H", "1.5h", "100y1d", "101y", "-P37000D", "99999999999999ms"})
    void upperCaseShortUnitsAndOutOfBoundsDurationsAreRefusedOnBothSides(String text) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Durations.parse(text, "tolerance"));
        assertTrue(e.getMessage().startsWith("tolerance: '" + text + "' is "), e.getMessage());
    }

    @ParameterizedTest(name = "\"{0}\" is refused")
    @CsvSource({"2070-01-01", "1969-12-31T23:59:59Z", "2021-03-01T12:00:00+5"})
    void datesOutsideWhatTheAgentCanSetOrMalformedOffsetsAreRefused(String text) {
        assertThrows(InvalidInputException.class, () -> Whens.parse(text, "date"));
    }

    @Nested
    class DurationForms {
        @ParameterizedTest(name = "{0} = {1}")
        @CsvSource({"PT2S, PT2S", "-P1095D, PT-26280H", "2s, PT2S", "500ms, PT0.5S", "-90d, PT-2160H", "-3y, PT-26280H",
            "5m, PT5M", "1w, PT168H", "-P3Y, PT-26280H", "P2W, PT336H", "pt2s, PT2S"})
        void parsesIsoAndShortForms(String text, String iso) {
            assertEquals(Duration.parse(iso), Durations.parse(text, "--timeout"));
        }

        @Test
        void rejectsOthersNamingTheOptionAndTheForms() {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Durations.parse("soon", "--timeout"));
            assertEquals("--timeout: 'soon' is not a duration (use " + Durations.VALID_FORMS + ")", e.getMessage());
        }
    }

    @Nested
    class WhenForms {
        @ParameterizedTest(name = "{0} = {1}")
        @CsvSource({"2021-03-01T12:00:00Z, 2021-03-01T12:00:00Z", "2021-03-01T12:00:00, 2021-03-01T12:00:00Z",
            "2021-03-01, 2021-03-01T00:00:00Z", "2021-03-01T14:00:00+02:00, 2021-03-01T12:00:00Z",
            "2021-03-01T17:00:00+0500, 2021-03-01T12:00:00Z", "2021-03-01t12:00:00.5z, 2021-03-01T12:00:00.5Z"})
        void parsesInstantsLocalTimesAsUtcAndDates(String text, String expected) {
            assertEquals(Instant.parse(expected), Whens.parse(text, "--at"));
        }

        @Test
        void rejectsOthersNamingTheForms() {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Whens.parse("01/03/2021", "--at"));
            assertEquals("--at: '01/03/2021' is not a date (use " + Whens.VALID_FORMS + ")", e.getMessage());
        }
    }
}

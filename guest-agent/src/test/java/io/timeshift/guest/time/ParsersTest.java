package io.timeshift.guest.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.timeshift.guest.error.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParsersTest {
    @Nested
    class DurationForms {
        @ParameterizedTest(name = "{0} = {1}")
        @CsvSource({"PT2S, PT2S", "-P1095D, PT-26280H", "2s, PT2S", "500ms, PT0.5S", "-90d, PT-2160H", "-3y, PT-26280H",
            "5m, PT5M", "1w, PT168H"})
        void parsesIsoAndShortForms(String text, String iso) {
            assertEquals(Duration.parse(iso), Durations.parse(text, "--timeout"));
        }

        @Test
        void rejectsOthersNamingTheOptionAndTheForms() {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Durations.parse("soon", "--timeout"));
            assertEquals("--timeout: 'soon' is not a duration; use " + Durations.VALID_FORMS, e.getMessage());
        }
    }

    @Nested
    class WhenForms {
        @ParameterizedTest(name = "{0} = {1}")
        @CsvSource({"2021-03-01T12:00:00Z, 2021-03-01T12:00:00Z", "2021-03-01T12:00:00, 2021-03-01T12:00:00Z",
            "2021-03-01, 2021-03-01T00:00:00Z", "2021-03-01T14:00:00+02:00, 2021-03-01T12:00:00Z"})
        void parsesInstantsLocalTimesAsUtcAndDates(String text, String expected) {
            assertEquals(Instant.parse(expected), Whens.parse(text, "--at"));
        }

        @Test
        void rejectsOthersNamingTheForms() {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Whens.parse("01/03/2021", "--at"));
            assertEquals("--at: '01/03/2021' is not a date; use " + Whens.VALID_FORMS, e.getMessage());
        }
    }
}

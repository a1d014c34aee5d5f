package io.timeshift.common.time;

import io.timeshift.common.error.InvalidInputException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimeGrammarTest {
    @Nested
    class When {
        @ParameterizedTest(name = "{0}")
        @CsvSource({
                "2021-03-01T12:00:00Z,       2021-03-01T12:00:00Z",
                "2021-03-01t12:00:00z,       2021-03-01T12:00:00Z",
                "2021-03-01T12:00:00.250Z,   2021-03-01T12:00:00.250Z",
                "2021-03-01T14:00:00+02:00,  2021-03-01T12:00:00Z",
                "2021-03-01T07:00:00-05:00,  2021-03-01T12:00:00Z",
                "2021-03-01T12:00:00,        2021-03-01T12:00:00Z",
                "2021-03-01T12:00,           2021-03-01T12:00:00Z",
                "2021-03-01,                 2021-03-01T00:00:00Z",
                "' 2021-03-01 ',             2021-03-01T00:00:00Z"})
        void parsesEveryContractForm(String text, String expected) {
            assertEquals(Instant.parse(expected), Whens.parse(text, "--date"));
        }

        @Test
        void takesLocalFormsInTheGivenZone() {
            ZoneId berlin = ZoneId.of("Europe/Berlin");

            assertEquals(Instant.parse("2021-03-01T11:00:00Z"), Whens.parse("2021-03-01T12:00:00", berlin, "--date"));
            assertEquals(Instant.parse("2021-02-28T23:00:00Z"), Whens.parse("2021-03-01", berlin, "--date"));
            assertEquals(Instant.parse("2021-03-01T12:00:00Z"), Whens.parse("2021-03-01T12:00:00Z", berlin, "--date"));
        }

        @ParameterizedTest(name = "\"{0}\"")
        @CsvSource({"2021/03/01", "2021-13-01", "12:00", "now", "''", "2021-03-01T12:00:00 UTC"})
        void rejectsOtherFormsNamingTheFieldAndTheValidForms(String text) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Whens.parse(text, "--date"));

            assertEquals(2, e.exitCode());
            assertTrue(e.getMessage().startsWith("--date: "), e.getMessage());
            assertTrue(e.getMessage().contains(Whens.VALID_FORMS), e.getMessage());
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource({"1969-12-31", "1969-12-31T23:59:59.999Z", "2070-01-01", "2070-01-01T00:00:00Z", "2069-12-31T23:30:00-01:00"})
        void rejectsYearsOutside1970To2069(String text) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Whens.parse(text, "--date"));

            assertTrue(e.getMessage().contains("1970-2069"), e.getMessage());
        }

        @Test
        void judgesTheYearInUtc() {
            // local midnight of 2070-01-01 in +01:00 is still 2069 in UTC: settable
            assertEquals(Instant.parse("2069-12-31T23:00:00Z"), Whens.parse("2070-01-01T00:00:00+01:00", "--date"));
        }
    }

    @Nested
    class DurationForms {
        @ParameterizedTest(name = "{0}")
        @CsvSource({
                "-3y,      -94608000",
                "3y,       94608000",
                "+3y,      94608000",
                "-90d,     -7776000",
                "2w,       1209600",
                "12h,      43200",
                "5m,       300",
                "2s,       2",
                "-P1095D,  -94608000",
                "PT2S,     2",
                "P3Y,      94608000",
                "p3y,      94608000",
                "PT-1.5S,  -1.5"})
        void parsesIsoAndShortForms(String text, double seconds) {
            assertEquals(Duration.ofNanos(Math.round(seconds * 1e9)), Durations.parse(text, "--offset"));
        }

        @Test
        void parsesMilliseconds() {
            assertEquals(Duration.ofMillis(500), Durations.parse("500ms", "--tolerance"));
        }

        @ParameterizedTest(name = "\"{0}\"")
        @CsvSource({"3 years", "1M", "P1M", "-", "''", "1.5h"})
        void rejectsOtherFormsNamingTheField(String text) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> Durations.parse(text, "--offset"));

            assertTrue(e.getMessage().startsWith("--offset: "), e.getMessage());
            assertTrue(e.getMessage().contains("-P1095D"), e.getMessage());
        }

        @Test
        void formatsAsIso() {
            assertEquals("PT2S", Durations.format(Duration.ofSeconds(2)));
            assertEquals("-PT26280H", Durations.format(Duration.ofDays(-1095)));
        }
    }

    @Nested
    class PveStartdate {
        @Test
        void writesUtcWithoutZoneOrFraction() {
            assertEquals("2021-03-01T12:00:00", Instants.pveStartdate(Instant.parse("2021-03-01T12:00:00.987Z")));
            assertEquals("1970-01-01T00:00:00", Instants.pveStartdate(Instant.EPOCH));
        }

        @Test
        void matchesTheFormProxmoxAccepts() {
            // qemu-server $confdesc startdate pattern, anchored by the schema checker
            String s = Instants.pveStartdate(Instant.parse("2069-12-31T23:59:59Z"));

            assertTrue(s.matches("(now|\\d{4}-\\d{1,2}-\\d{1,2}(T\\d{1,2}:\\d{1,2}:\\d{1,2})?)"), s);
        }
    }

    @Nested
    class EpochNanos {
        @ParameterizedTest(name = "{0}")
        @CsvSource({"2021-03-01T12:00:00.123456789Z", "1970-01-01T00:00:00Z", "2069-12-31T23:59:59.999999999Z",
                "1969-12-31T23:59:59.5Z", "1900-01-01T00:00:00.000000001Z"})
        void roundTrips(String t) {
            Instant i = Instant.parse(t);

            assertEquals(i, Instants.fromEpochNanos(Instants.toEpochNanos(i)));
        }

        @Test
        void convertsExactly() {
            assertEquals(1_614_600_000_123_456_789L, Instants.toEpochNanos(Instant.parse("2021-03-01T12:00:00.123456789Z")));
        }

        @Test
        void negativeNanosFloorToTheSecondBefore() {
            // -0.5 s is 23:59:59.5 of the previous day, not 00:00:00.5 (truncating division would say so)
            assertEquals(Instant.parse("1969-12-31T23:59:59.5Z"), Instants.fromEpochNanos(-500_000_000L));
            assertEquals(-500_000_000L, Instants.toEpochNanos(Instant.parse("1969-12-31T23:59:59.5Z")));
            assertEquals(Instant.parse("1969-12-31T23:59:59.999999999Z"), Instants.fromEpochNanos(-1));
        }

        @Test
        void refusesInstantsThatDoNotFitInLongNanos() {
            assertThrows(ArithmeticException.class, () -> Instants.toEpochNanos(Instant.parse("2300-01-01T00:00:00Z")));
        }
    }

    @Test
    void requireSettableYearNamesTheField() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Whens.requireSettableYear(Instant.parse("2070-06-01T00:00:00Z"), "VM 105 guest time"));

        assertTrue(e.getMessage().startsWith("VM 105 guest time: year 2070"), e.getMessage());
    }
}

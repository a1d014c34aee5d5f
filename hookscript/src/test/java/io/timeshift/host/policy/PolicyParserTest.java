package io.timeshift.host.policy;

import io.timeshift.host.io.Json;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyParserTest {
    private static final String FILE = "/etc/pve/time-shift/105.json";

    private static Policy parse(String text) {
        return PolicyParser.parse(text, 105, FILE);
    }

    /** Every rejection: exit 2, one line, naming the file and (when there is one) the field. */
    private static InvalidInputException rejects(String text, String field) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> parse(text));
        assertEquals(TimeShiftException.INVALID_INPUT, e.exitCode());
        String msg = e.getMessage();
        assertFalse(msg.contains("\n"), () -> "not one line: " + msg);
        assertTrue(msg.startsWith(FILE + ": "), () -> "does not name the file first: " + msg);
        if (field != null) {
            assertTrue(msg.contains("field '" + field + "'"), () -> "does not name field '" + field + "': " + msg);
        }
        return e;
    }

    @Nested
    class Accepts {
        @Test
        void acceptsTheContractExampleExactly() {
            Policy p = parse(PolicyJson.CONTRACT_EXAMPLE);

            assertEquals(105, p.vmid());
            assertEquals(Mode.FIXED, p.mode());
            assertEquals(Instant.parse("2021-03-01T12:00:00Z"), p.date());
            assertNull(p.offset());
            assertEquals(Duration.ofSeconds(2), p.tolerance());
            assertFalse(p.keepTimeSync());
            assertFalse(p.abortOnError());
            assertEquals(List.of("https://idrac-r710.mgmt.example:443"), p.targets());
            assertEquals(new Policy.Original(null, null, "1"), p.original());
            assertNull(p.chain());
        }

        @Test
        void roundTripsThroughItsOwnJson() {
            Policy p = new Policy(105, Mode.CONTINUE, Instant.parse("2019-07-04T23:59:59.5Z"), null,
                    Duration.ofMillis(500), true, true, List.of("idrac.example", "https://bmc:8443"),
                    "local:snippets/other-hook", new Policy.Original("2020-01-01", "local:snippets/other-hook", "1,fstrim_cloned_disks=1"));

            assertEquals(p, parse(new String(Json.pretty(p.toJson()), StandardCharsets.UTF_8)));
        }

        @Test
        void roundTripsTheGuestZoneAndLeavesItOutWhenThereIsNone() {
            Policy p = parse(PolicyJson.fixed(105, "2021-03-01").text()).withGuestZone("Asia/Karachi");

            assertEquals("Asia/Karachi", p.toJson().get("guestZone"));
            assertEquals(p, parse(new String(Json.pretty(p.toJson()), StandardCharsets.UTF_8)));
            assertFalse(p.withGuestZone(null).toJson().containsKey("guestZone"));
            assertEquals("+05:00", parse(PolicyJson.fixed(105, "2021-03-01").with("guestZone", "+05:00").text()).guestZone());
        }

        @Test
        void roundTripsAnOffsetPolicy() {
            Policy p = new Policy(105, Mode.OFFSET, null, Duration.ofDays(-1095), null, false, false, null, null, null);

            Policy back = parse(new String(Json.pretty(p.toJson()), StandardCharsets.UTF_8));

            assertEquals(p, back);
            assertEquals("-PT26280H", p.toJson().get("offset"));
        }

        @ParameterizedTest(name = "offset {0}")
        @CsvSource({
                "-3y,    -94608000000",
                "-90d,   -7776000000",
                "2s,     2000",
                "500ms,  500",
                "-P1095D, -94608000000",
                "PT2S,   2000",
                "P3Y,    94608000000",
                "-P3Y,   -94608000000"})
        void acceptsShortAndIsoDurations(String text, long millis) {
            Policy p = parse(PolicyJson.offset(105, text).text());

            assertEquals(Duration.ofMillis(millis), p.offset());
        }

        @Test
        void acceptsTheFirstAndLastSettableInstants() {
            assertEquals(Instant.parse("1970-01-01T00:00:00Z"), parse(PolicyJson.fixed(105, "1970-01-01").text()).date());
            assertEquals(Instant.parse("2069-12-31T23:59:59Z"),
                    parse(PolicyJson.fixed(105, "2069-12-31T23:59:59Z").text()).date());
        }

        @Test
        void takesALocalDateTimeAsUtc() {
            assertEquals(Instant.parse("2021-03-01T12:00:00Z"), parse(PolicyJson.continuing(105, "2021-03-01T12:00:00").text()).date());
        }

        @Test
        void defaultsOptionalFields() {
            Policy p = parse(PolicyJson.fixed(105, "2021-03-01").without("tolerance").without("timeSync").without("onError")
                    .without("targets").without("original").without("offset").text());

            assertEquals(Policy.DEFAULT_TOLERANCE, p.tolerance());
            assertFalse(p.keepTimeSync());
            assertFalse(p.abortOnError());
            assertEquals(List.of(), p.targets());
            assertEquals(Policy.Original.NONE, p.original());
        }

        @Test
        void readsKeepAndAbort() {
            Policy p = parse(PolicyJson.fixed(105, "2021-03-01").with("timeSync", "keep").with("onError", "abort").text());

            assertTrue(p.keepTimeSync());
            assertTrue(p.abortOnError());
        }
    }

    @Nested
    class Rejects {
        @Test
        void rejectsAnUnknownFieldNamingIt() {
            InvalidInputException e = rejects(PolicyJson.fixed(105, "2021-03-01").with("ofset", "-3y").text(), "ofset");
            assertTrue(e.getMessage().contains("unknown"));
        }

        @Test
        void rejectsAGuestZoneThatIsNoZone() {
            InvalidInputException e = rejects(PolicyJson.fixed(105, "2021-03-01").with("guestZone", "Asia Karachi\u0007").text(),
                    "guestZone");
            assertTrue(e.getMessage().contains("Asia/Karachi"), e.getMessage());
            rejects(PolicyJson.fixed(105, "2021-03-01").with("guestZone", 18000).text(), "guestZone");
        }

        @Test
        void rejectsAnUnknownFieldInsideOriginal() {
            rejects(PolicyJson.fixed(105, "2021-03-01").with("original", java.util.Map.of("args", "-rtc")).text(), "original.args");
        }

        @ParameterizedTest(name = "mode {0}")
        @CsvSource({"fixed", "continue"})
        void rejectsPolicyWithoutDate(String mode) {
            rejects(PolicyJson.fixed(105, null).with("mode", mode).text(), "date");
        }

        @Test
        void rejectsOffsetModeWithoutOffset() {
            rejects(PolicyJson.offset(105, null).text(), "offset");
        }

        @Test
        void rejectsPolicyWithoutDateOrOffset() {
            rejects(PolicyJson.fixed(105, null).text(), "date");
            rejects(PolicyJson.offset(105, null).text(), "offset");
        }

        @Test
        void rejectsDateAndOffsetTogether() {
            rejects(PolicyJson.fixed(105, "2021-03-01").with("offset", "-3y").text(), "offset");
            rejects(PolicyJson.offset(105, "-3y").with("date", "2021-03-01").text(), "date");
        }

        @ParameterizedTest(name = "offset \"{0}\"")
        @CsvSource({"3 years", "-3yr", "P1M", "''", "PT", "1.5d", "-3Y2M"})
        void rejectsABadDuration(String text) {
            rejects(PolicyJson.offset(105, text).text(), "offset");
        }

        @ParameterizedTest(name = "tolerance \"{0}\"")
        @CsvSource({"2 seconds", "PT0S", "-2s"})
        void rejectsABadTolerance(String text) {
            rejects(PolicyJson.fixed(105, "2021-03-01").with("tolerance", text).text(), "tolerance");
        }

        @ParameterizedTest(name = "date \"{0}\"")
        @CsvSource({"01.03.2021", "2021-02-30", "2021-03-01 12:00:00", "yesterday", "2021-03-01T25:00:00Z", "''"})
        void rejectsABadDate(String text) {
            rejects(PolicyJson.fixed(105, text).text(), "date");
        }

        @ParameterizedTest(name = "date {0}")
        @CsvSource({"1969-12-31", "1969-12-31T23:59:59Z", "2070-01-01", "2070-01-01T00:00:00Z", "9999-01-01"})
        void rejectsAYearTheAgentCannotSet(String text) {
            InvalidInputException e = rejects(PolicyJson.fixed(105, text).text(), "date");
            assertTrue(e.getMessage().contains("1970-2069"), e.getMessage());
        }

        @Test
        void rejectsAVersionOtherThanOne() {
            rejects(PolicyJson.fixed(105, "2021-03-01").with("version", 2).text(), "version");
            rejects(PolicyJson.fixed(105, "2021-03-01").with("version", "1").text(), "version");
            rejects(PolicyJson.fixed(105, "2021-03-01").with("version", 1.5).text(), "version");
            rejects(PolicyJson.fixed(105, "2021-03-01").without("version").text(), "version");
        }

        @Test
        void rejectsAVersionWhoseLowBitsAreOne() {
            // 2^32 + 1: its int value is 1, but it is not version 1
            rejects(PolicyJson.fixed(105, "2021-03-01").with("version", 4_294_967_297L).text(), "version");
        }

        @Test
        void rejectsAVmidThatDoesNotMatchTheFile() {
            InvalidInputException e = rejects(PolicyJson.fixed(106, "2021-03-01").text(), "vmid");
            assertTrue(e.getMessage().contains("105"), e.getMessage());
        }

        @Test
        void rejectsAnEmptyFile() {
            InvalidInputException e = rejects("", null);
            assertTrue(e.getMessage().contains("empty"), e.getMessage());
            rejects("  \n", null);
        }

        @Test
        void rejectsATruncatedFile() {
            InvalidInputException e = rejects("{\"version\":1,\"vm", null);
            assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        }

        @Test
        void rejectsJsonThatIsNotAnObject() {
            rejects("[1,2]", null);
            rejects("null", null);
        }

        static Stream<Arguments> wrongTypes() {
            return Stream.of(
                    Arguments.of("vmid", "105"),
                    Arguments.of("mode", 1),
                    Arguments.of("mode", "fixd"),
                    Arguments.of("date", 20210301),
                    Arguments.of("tolerance", 2),
                    Arguments.of("timeSync", true),
                    Arguments.of("timeSync", "off"),
                    Arguments.of("onError", "ignore"),
                    Arguments.of("targets", "https://idrac.example"),
                    Arguments.of("targets", List.of(1)),
                    Arguments.of("targets", List.of("")),
                    Arguments.of("chain", false),
                    Arguments.of("original", "none"));
        }

        @ParameterizedTest(name = "{0} = {1}")
        @MethodSource("wrongTypes")
        void rejectsAFieldOfTheWrongType(String field, Object value) {
            rejects(PolicyJson.fixed(105, "2021-03-01").with(field, value).text(), field);
        }

        @Test
        void rejectsANonStringInsideOriginalNamingThePath() {
            java.util.Map<String, Object> original = new java.util.LinkedHashMap<>();
            original.put("startdate", null);
            original.put("hookscript", null);
            original.put("agent", 1);
            rejects(PolicyJson.fixed(105, "2021-03-01").with("original", original).text(), "original.agent");
        }
    }

    @Nested
    class SaysAbort {
        @Test
        void readsOnErrorFromAFileThatFailsValidation() {
            assertTrue(PolicyParser.saysAbort(PolicyJson.fixed(105, null).with("onError", "abort").text()));
            assertFalse(PolicyParser.saysAbort(PolicyJson.fixed(105, null).text()));
        }

        @Test
        void neverThrowsOnGarbage() {
            assertFalse(PolicyParser.saysAbort("{\"version\":1,\"vm"));
            assertFalse(PolicyParser.saysAbort(""));
        }
    }
}

package io.timeshift.common.policy;

import io.timeshift.common.time.Durations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timeshift.common.error.InvalidInputException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestPolicyTest {
    private static final Path FILE = Path.of(GuestPolicy.FILE);

    private static Map<String, Object> hostPolicy() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("version", 1L);
        p.put("vmid", 105L);
        p.put("mode", "fixed");
        p.put("date", "2021-03-01T12:00:00Z");
        p.put("tolerance", "PT2S");
        p.put("timeSync", "keep");
        p.put("original", Map.of("startdate", "now"));
        p.put("chain", "local:snippets/other.pl");
        return p;
    }

    @Nested
    class WhatTheHostWritesTheGuestReads {
        @Test
        void theExactBytesLeaveOutTheHostsOwnFieldsAndAddTheShift() {
            String text = new String(GuestPolicy.toJson(hostPolicy(), -157_680_000_000L, "2021-03-01T12:00:01.5Z", null),
                    StandardCharsets.UTF_8);

            assertEquals("""
                    {
                      "version" : 1,
                      "vmid" : 105,
                      "mode" : "fixed",
                      "date" : "2021-03-01T12:00:00Z",
                      "tolerance" : "PT2S",
                      "timeSync" : "keep",
                      "expectedOffsetMs" : -157680000000,
                      "appliedAt" : "2021-03-01T12:00:01.5Z",
                      "hostAppliedAt" : null
                    }
                    """, text);
        }

        @Test
        void roundTripsThroughTheSameCode() {
            byte[] bytes = GuestPolicy.toJson(hostPolicy(), -5_000L, null, null);

            GuestPolicy g = GuestPolicy.parse(FILE, new String(bytes, StandardCharsets.UTF_8));

            assertEquals(new GuestPolicy(FILE, "fixed", Instant.parse("2021-03-01T12:00:00Z"), Duration.ofSeconds(2), true,
                    -5_000L, List.of()), g);
        }

        @Test
        void anAbsentFileIsNoPolicy(@TempDir Path dir) {
            assertTrue(GuestPolicy.load(dir.resolve("policy.json")).isEmpty());
        }
    }

    @Nested
    class Leniency {
        @Test
        void badValuesBecomeWarningsAndDefaults() {
            GuestPolicy g = GuestPolicy.parse(FILE,
                    "{\"mode\":\"sometimes\",\"date\":\"soon\",\"tolerance\":\"-2s\",\"timeSync\":\"maybe\",\"expectedOffsetMs\":1.5,\"new\":{}}");

            assertNull(g.mode());
            assertNull(g.date());
            assertEquals(GuestPolicy.DEFAULT_TOLERANCE, g.tolerance());
            assertFalse(g.keepTimeSync());
            assertNull(g.expectedOffsetMs());
            assertEquals(5, g.warnings().size(), g.warnings().toString());
            assertEquals(FILE + ": field date: 'soon' is not a date (use 2021-03-01T12:00:00Z, 2021-03-01T12:00:00 or 2021-03-01)",
                    g.warnings().get(1));
        }

        @Test
        void numbersWhereTextIsExpectedAreReadAsTheirText() {
            GuestPolicy g = GuestPolicy.parse(FILE, "{\"tolerance\":2}");
            assertEquals(List.of(FILE + ": field tolerance: '2' is not a duration (use " + io.timeshift.common.time.Durations.VALID_FORMS + ")"),
                    g.warnings());
        }

        @Test
        void onlyANonObjectIsAnError() {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> GuestPolicy.parse(FILE, "[1]"));
            assertEquals(FILE + ": expected a JSON object; the host's `time-shift apply <vmid>` rewrites it", e.getMessage());
            assertThrows(InvalidInputException.class, () -> GuestPolicy.parse(FILE, "mode=fixed\u0000"));
        }
    }

    @Nested
    class UnshiftedRtc {
        @Test
        void aSystemMinusRtcEqualToTheShiftMeansTheRtcStillShowsRealTime() {
            GuestPolicy g = new GuestPolicy(FILE, "fixed", null, Duration.ofSeconds(2), false, -86_400_000L, List.of());
            assertTrue(g.rtcLooksUnshifted(Duration.ofMillis(-86_400_000L + 30_000)));
            assertFalse(g.rtcLooksUnshifted(Duration.ofSeconds(5)));
            assertFalse(new GuestPolicy(FILE, "fixed", null, Duration.ofSeconds(2), false, 30_000L, List.of())
                    .rtcLooksUnshifted(Duration.ofSeconds(30)));
        }
    }
}

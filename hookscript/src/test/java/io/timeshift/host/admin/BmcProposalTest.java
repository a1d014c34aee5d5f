package io.timeshift.host.admin;

import io.timeshift.common.time.Monotonic;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guided enable's checks and BMC probe as values (the dialogue around them is cli's). */
class BmcProposalTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-10T08:00:00Z"), ZoneOffset.UTC);

    @Nested
    class AnAnswer {
        @Test
        void withSpacesIsOneBmcTooMany() {
            assertEquals("one BMC per answer, without spaces", BmcProposal.problem("bmc1 bmc2"));
        }

        @Test
        void inAFormTheProberTakesHasNoProblem() {
            assertNull(BmcProposal.problem("idrac.mgmt.example:443"));
            assertNull(BmcProposal.problem("https://192.0.2.10:8443"));
        }
    }

    @Nested
    class TheProbe {
        @Test
        void reportsItsProgressLineBeforeTheTargetItCouldNotReach() {
            List<String> progress = new ArrayList<>();

            BmcProposal.Probed p = BmcProposal.probe(List.of("127.0.0.1:1"), CLOCK, Monotonic.SYSTEM, Duration.ofSeconds(2),
                    progress::add);

            assertEquals(List.of("probing 1 BMC from this host (at most 2 s) ..."), progress);
            assertNull(p.error());
            assertNull(p.proposed());
            assertTrue(p.lines().get(0).startsWith("  127.0.0.1:1: not probed: "), p.lines().toString());
        }

        @Test
        void ofATargetItCannotParseIsOneErrorLineAndNoProgress() {
            List<String> progress = new ArrayList<>();

            BmcProposal.Probed p = BmcProposal.probe(List.of("bmc:99999"), CLOCK, Monotonic.SYSTEM, Duration.ofSeconds(2),
                    progress::add);

            assertEquals(List.of(), progress);
            assertEquals(List.of(), p.lines());
            assertTrue(p.error() != null && p.error().equals(BmcProposal.problem("bmc:99999")), String.valueOf(p.error()));
        }
    }
}

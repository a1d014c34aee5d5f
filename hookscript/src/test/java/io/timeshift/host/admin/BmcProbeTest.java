package io.timeshift.host.admin;

import io.timeshift.common.error.InvalidInputException;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.testsupport.MutableClock;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** enable's guided mode probes the BMCs from the host: what it returns for the CLI to show, nothing printed. */
class BmcProbeTest {
    @Nested
    class Prepare {
        @Test
        void theProgressLineCountsTheBmcsAndNamesTheBudget() {
            assertEquals("probing 1 BMC from this host (at most 10 s) ...",
                    BmcProbe.prepare(List.of("192.0.2.10"), BmcProbe.TIMEOUT).progress());
            assertEquals("probing 2 BMCs from this host (at most 3 s) ...",
                    BmcProbe.prepare(List.of("192.0.2.10", "https://[2001:db8::1]:8443"), Duration.ofSeconds(3)).progress());
        }

        @Test
        void aTargetTheProberDoesNotTakeFailsBeforeAnyProgressIsShown() {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> BmcProbe.prepare(List.of("192.0.2.10", "ftp://bmc"), BmcProbe.TIMEOUT));
            assertEquals(BmcProbe.problem("ftp://bmc"), e.getMessage());
        }
    }

    @Nested
    class Run {
        @Test
        void aBmcThatCannotBeReachedIsOneLineAndNoDateIsProposed() throws Exception {
            int closed;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closed = s.getLocalPort(); // free again once closed: connecting is refused
            }
            MutableClock clock = new MutableClock(Instant.parse("2026-01-10T08:00:00Z"));

            BmcProbe.Result r = BmcProbe.prepare(List.of("127.0.0.1:" + closed), Duration.ofSeconds(2))
                    .run(clock, new FakeMonotonic());

            assertNull(r.proposed());
            assertEquals(2, r.lines().size(), r.lines().toString());
            assertTrue(r.lines().get(0).startsWith("  127.0.0.1:" + closed + ": not probed: "), r.lines().toString());
            assertEquals("no date can be proposed: a BMC could not be probed from this host (check the address, or name the date"
                    + " yourself; time-shift plan probes from inside the VM later)", r.lines().get(1));
        }
    }
}

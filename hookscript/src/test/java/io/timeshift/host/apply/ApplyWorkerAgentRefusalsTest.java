package io.timeshift.host.apply;

import io.timeshift.host.env.HostConfig;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.ApplyWorkerFixture;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.pve.qga.AgentErrorException;
import io.timeshift.pve.qga.AgentErrorKind;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.timeshift.host.testing.ApplyWorkerFixture.VM;
import static io.timeshift.host.testing.ApplyWorkerFixture.DATE;
import static io.timeshift.host.testing.ApplyWorkerFixture.D;
import static io.timeshift.host.testing.ApplyWorkerFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The apply worker when the guest agent refuses {@code guest-set-time}, with the refusals qemu-ga really
 * sends (docs/qga-errors.md; the fake's forms are checked against the real agent by the QGA contract).
 */
class ApplyWorkerAgentRefusalsTest {
    @RegisterExtension
    final ApplyWorkerFixture fx = ApplyWorkerFixture.runningKeepingTimeSync();

    @Nested
    class HwclockCannotWriteTheRtc {
        @Test
        void theApplySucceedsOnTheSystemTimeAndSaysAGuestRebootWillLoseTheShift() {
            fx.ga.rtcWritable(false);

            ApplyRecord r = fx.worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertEquals(D, fx.ga.guestNow());
            assertEquals("guest clock set to " + D + " (error 0.000 ms); guest could not write its RTC (hwclock failed to"
                    + " set hardware clock to system time); a guest reboot will lose the shift", r.message());
            assertEquals(r.message(), fx.lastApply().get("message"));
            assertEquals(1, fx.ga.requests("guest-set-time").size(), "the time was set: no second try");
        }
    }

    @Nested
    class GuestWithoutHwclock {
        @Test
        void theClockIsSetWithDateAtTheNextSecondBoundaryAndTheApplySaysSo() {
            fx.ga.hwclock(false).onExec((path, args) -> {
                if (path.equals("date") && args.size() == 3 && args.get(2).startsWith("@")) {
                    fx.ga.guestTime(Instant.ofEpochSecond(Long.parseLong(args.get(2).substring(1))));
                }
                return FakeQemuGa.ExecReply.ok("");
            });

            ApplyRecord r = fx.worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            // the target D lies on a second boundary: the worker waits one whole second, then sets D + 1 s
            assertEquals(List.of("date", "-u", "-s", "@" + (D.getEpochSecond() + 1)), fx.ga.execs().get(0));
            assertEquals(T0.plusSeconds(1), fx.clock.instant());
            assertEquals(D.plusSeconds(1), fx.ga.guestNow());
            assertEquals("guest clock set to " + D.plusSeconds(1) + " (error 0.000 ms); guest-set-time unsupported (no"
                    + " /sbin/hwclock in the guest); used date -s, second precision", r.message());
        }
    }

    @Nested
    class RefusalsThatFailTheApply {
        @Test
        void aFrozenAgentFailsTheApplyWithTheAgentsWordsAndExitThree() {
            fx.ga.frozenFilesystems();

            AgentErrorException e = assertThrows(AgentErrorException.class, () -> fx.worker().apply(VM, false, false));

            assertEquals(AgentErrorKind.FROZEN, e.kind());
            assertEquals(3, e.exitCode());
            assertEquals("VM 105: guest agent refused guest-set-time: Command guest-set-time has been disabled: the agent"
                    + " is in frozen state", e.getMessage());
            assertEquals("failed", fx.lastApply().get("result"));
            assertEquals(e.getMessage(), fx.lastApply().get("message"));
            assertEquals(List.of(), fx.ga.execs(), "no date -s fallback for a frozen agent");
        }

        @Test
        void aBlockedSetTimeFailsTheApplyWithoutAFallback() {
            fx.ga.blockRpcs("guest-set-time");

            EnvironmentException e = assertThrows(EnvironmentException.class, () -> fx.worker().apply(VM, false, false));

            assertEquals("VM 105: guest agent refused guest-set-time: Command guest-set-time has been disabled",
                    e.getMessage());
            assertEquals(List.of(), fx.ga.execs());
            assertEquals("failed", ((Map<?, ?>) fx.host().auditEntries().get(0).get("details")).get("result"));
        }
    }
}

package io.timeshift.host.apply;

import io.timeshift.host.env.HostConfig;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.TempHost;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.pve.qga.AgentErrorException;
import io.timeshift.pve.qga.AgentErrorKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The apply worker when the guest agent refuses {@code guest-set-time}, with the refusals qemu-ga really
 * sends (docs/qga-errors.md; the fake's forms are checked against the real agent by the QGA contract).
 */
class ApplyWorkerAgentRefusalsTest {
    private static final int VM = 105;
    private static final String DATE = "2021-03-01T12:00:00Z";
    private static final Instant D = Instant.parse(DATE);
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");
    private static final HostConfig CONFIG = new HostConfig(Duration.ofMillis(300), Duration.ofSeconds(5),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));

    @TempDir
    Path dir;

    private TempHost host;
    private final MutableClock clock = new MutableClock(T0);
    private final FakeMonotonic mono = new FakeMonotonic();
    private final FakeQemuGa ga = new FakeQemuGa(clock, mono);
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void node() {
        host = new TempHost(dir).confWith(VM).agentSocket(VM);
        host.policy(PolicyJson.fixed(VM, DATE).with("timeSync", "keep"));
    }

    private void sleep(Duration d) {
        mono.advance(d.toNanos());
        clock.advance(d);
    }

    private ApplyWorker worker() {
        return new ApplyWorker(host.paths(), CONFIG, clock, mono, ga::client, this::sleep,
                new PrintStream(log, true, StandardCharsets.UTF_8), "root");
    }

    private Map<String, Object> lastApply() {
        return host.stateObject(VM, "lastApply");
    }

    @Nested
    class HwclockCannotWriteTheRtc {
        @Test
        void theApplySucceedsOnTheSystemTimeAndSaysAGuestRebootWillLoseTheShift() {
            ga.rtcWritable(false);

            ApplyWorker.Result r = worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertEquals(D, ga.guestNow());
            assertEquals("guest clock set to " + D + " (error 0.000 ms); guest could not write its RTC (hwclock failed to"
                    + " set hardware clock to system time); a guest reboot will lose the shift", r.message());
            assertEquals(r.message(), lastApply().get("message"));
            assertEquals(1, ga.requests("guest-set-time").size(), "the time was set: no second try");
        }
    }

    @Nested
    class GuestWithoutHwclock {
        @Test
        void theClockIsSetWithDateAtTheNextSecondBoundaryAndTheApplySaysSo() {
            ga.hwclock(false).onExec((path, args) -> {
                if (path.equals("date") && args.size() == 3 && args.get(2).startsWith("@")) {
                    ga.guestTime(Instant.ofEpochSecond(Long.parseLong(args.get(2).substring(1))));
                }
                return FakeQemuGa.ExecReply.ok("");
            });

            ApplyWorker.Result r = worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            // the target D lies on a second boundary: the worker waits one whole second, then sets D + 1 s
            assertEquals(List.of("date", "-u", "-s", "@" + (D.getEpochSecond() + 1)), ga.execs().get(0));
            assertEquals(T0.plusSeconds(1), clock.instant());
            assertEquals(D.plusSeconds(1), ga.guestNow());
            assertEquals("guest clock set to " + D.plusSeconds(1) + " (error 0.000 ms); guest-set-time unsupported (no"
                    + " /sbin/hwclock in the guest); used date -s, second precision", r.message());
        }
    }

    @Nested
    class RefusalsThatFailTheApply {
        @Test
        void aFrozenAgentFailsTheApplyWithTheAgentsWordsAndExitThree() {
            ga.frozenFilesystems();

            AgentErrorException e = assertThrows(AgentErrorException.class, () -> worker().apply(VM, false, false));

            assertEquals(AgentErrorKind.FROZEN, e.kind());
            assertEquals(3, e.exitCode());
            assertEquals("VM 105: guest agent refused guest-set-time: Command guest-set-time has been disabled: the agent"
                    + " is in frozen state", e.getMessage());
            assertEquals("failed", lastApply().get("result"));
            assertEquals(e.getMessage(), lastApply().get("message"));
            assertEquals(List.of(), ga.execs(), "no date -s fallback for a frozen agent");
        }

        @Test
        void aBlockedSetTimeFailsTheApplyWithoutAFallback() {
            ga.blockRpcs("guest-set-time");

            EnvironmentException e = assertThrows(EnvironmentException.class, () -> worker().apply(VM, false, false));

            assertEquals("VM 105: guest agent refused guest-set-time: Command guest-set-time has been disabled",
                    e.getMessage());
            assertEquals(List.of(), ga.execs());
            assertEquals("failed", ((Map<?, ?>) host.auditEntries().get(0).get("details")).get("result"));
        }
    }
}

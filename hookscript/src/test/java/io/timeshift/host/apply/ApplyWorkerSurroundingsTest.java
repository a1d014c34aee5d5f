package io.timeshift.host.apply;

import io.timeshift.common.policy.GuestPolicy;

import io.timeshift.host.env.HostConfig;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.TempHost;
import io.timeshift.common.error.EnvironmentException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What around the clock can go wrong for the apply worker without making it lose the clock: the listener
 * (Notes) and the audit log failing, the state directory and the worker lock unusable, a guest whose agent
 * lacks osinfo or that runs Windows, and a VM that stops or an agent that goes quiet during the hold.
 */
class ApplyWorkerSurroundingsTest {
    private static final int VM = 105;
    private static final String DATE = "2021-03-01T12:00:00Z";
    private static final Instant D = Instant.parse(DATE);
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");
    /** agentWait 300 ms, hold 5 s looked at every 1 s, agent timeout 1 s. */
    private static final HostConfig CONFIG = new HostConfig(Duration.ofMillis(300), Duration.ofSeconds(5),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));

    @TempDir
    Path dir;

    private TempHost host;
    private final MutableClock clock = new MutableClock(T0);
    private final FakeMonotonic mono = new FakeMonotonic();
    private final FakeQemuGa ga = new FakeQemuGa(clock, mono);
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final List<Runnable> atHoldLooks = new ArrayList<>();
    private int holdLooks;

    @BeforeEach
    void node() {
        host = new TempHost(dir).confWith(VM).agentSocket(VM);
        host.policy(PolicyJson.fixed(VM, DATE).with("timeSync", "keep"));
    }

    /** Sleeping moves both clocks; the n-th sleep runs the n-th scripted event first. */
    private void sleep(Duration d) {
        if (holdLooks < atHoldLooks.size()) {
            atHoldLooks.get(holdLooks).run();
        }
        holdLooks++;
        mono.advance(d.toNanos());
        clock.advance(d);
    }

    private ApplyWorker worker() {
        return new ApplyWorker(host.paths(), CONFIG, clock, mono, ga::client, this::sleep,
                new PrintStream(log, true, StandardCharsets.UTF_8), "root");
    }

    private String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    @Nested
    class TheListener {
        @Test
        void isToldTheOutcomeWithThePolicyAndTheRecord() {
            List<String> told = new ArrayList<>();

            ApplyWorker.Result r = worker().withListener((vmid, policy, rec) ->
                    told.add(vmid + " " + policy.summary() + " " + rec.get("result"))).apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertEquals(1, told.size());
            assertTrue(told.get(0).startsWith("105 "), told.toString());
            assertTrue(told.get(0).endsWith(" ok"), told.toString());
        }

        @Test
        void thatFailsOnlyCostsAWarningInTheLog() {
            ApplyWorker.Result r = worker().withListener((vmid, policy, rec) -> {
                throw new EnvironmentException("cannot update the Notes of VM 105: pmxcfs is read-only");
            }).apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertTrue(log().contains("VM 105: warning: cannot update the Notes of VM 105: pmxcfs is read-only\n"), log());
        }
    }

    @Nested
    class HostFiles {
        @Test
        void anAuditLogThatCannotBeWrittenOnlyCostsAWarning() throws Exception {
            Files.createDirectories(host.paths().auditLog()); // a directory where the log file should be

            ApplyWorker.Result r = worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertTrue(log().contains(" warning: "), log());
            assertEquals("ok", host.stateObject(VM, "lastApply").get("result"));
        }

        @Test
        void aStateDirectoryThatCannotBeCreatedIsAnEnvironmentError() throws Exception {
            Path state = host.paths().stateDir();
            deleteTree(state);
            Files.createDirectories(state.getParent());
            Files.writeString(state, "not a directory");

            EnvironmentException e = assertThrows(EnvironmentException.class, () -> worker().apply(VM, false, false));

            assertEquals(3, e.exitCode());
            assertTrue(e.getMessage().startsWith("cannot create " + state + ": "), e.getMessage());
            assertEquals(List.of(), ga.requests());
        }

        @Test
        void aWorkerLockThatCannotBeOpenedIsAnEnvironmentError() throws Exception {
            Files.createDirectories(host.paths().workerLock(VM)); // a directory: cannot be opened for writing

            EnvironmentException e = assertThrows(EnvironmentException.class, () -> worker().apply(VM, false, false));

            assertTrue(e.getMessage().startsWith("cannot lock " + host.paths().workerLock(VM) + ": "), e.getMessage());
            assertEquals(List.of(), ga.requests());
        }
    }

    @Nested
    class GuestOs {
        @Test
        void anAgentWithoutOsinfoIsTakenForLinuxAndGetsThePolicyFile() {
            ga.blockRpcs("guest-get-osinfo");

            ApplyWorker.Result r = worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertFalse(r.json().containsKey("guestOs"), r.json().toString());
            assertEquals(GuestPolicy.FILE, r.json().get("guestPolicy"));
        }

        @Test
        void aWindowsGuestGetsItsClockButNoPolicyFile() {
            Map<String, Object> windows = new LinkedHashMap<>();
            windows.put("id", "mswindows");
            windows.put("pretty-name", "Windows Server 2019 Standard");
            ga.osInfo(windows);

            ApplyWorker.Result r = worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertEquals(D, ga.guestNow());
            assertEquals("Windows Server 2019 Standard", r.json().get("guestOs"));
            assertFalse(r.json().containsKey("guestPolicy"), r.json().toString());
            assertEquals(List.of(), ga.execs());
            assertFalse(ga.files().containsKey(GuestPolicy.FILE));
        }
    }

    @Nested
    class DuringTheHold {
        @Test
        void aVmThatStopsEndsTheHoldAndSaysSo() {
            atHoldLooks.add(ga::vmStopped);

            ApplyWorker.Result r = worker().apply(VM, true, true);

            assertTrue(r.ok(), r.message());
            assertEquals("VM stopped during the hold period", r.json().get("hold"));
            assertEquals(T0.plusSeconds(1).toString(), r.json().get("holdEndedAt"));
        }

        @Test
        void anAgentThatGoesQuietIsLookedAtAgainUntilTheHoldEnds() {
            atHoldLooks.add(ga::neverAnswer);
            atHoldLooks.add(ga::answer);

            ApplyWorker.Result r = worker().apply(VM, true, true);

            assertTrue(r.ok(), r.message());
            assertFalse(r.json().containsKey("hold"), r.json().toString());
            assertEquals(0, r.reapplied());
            // the verify, the quiet first look (its sync unanswered, so no guest-get-time sent), then more looks
            assertTrue(ga.getTimeCalls() >= 1 + 2, "answered looks: " + ga.getTimeCalls());
            assertEquals(holdLooks - 1, ga.getTimeCalls() - 1, "one look per sleep, all answered but the quiet one");
        }
    }

    @Test
    void waitsAreStatedInTheUnitThatFits() {
        assertEquals("300 ms", ApplyWorker.human(Duration.ofMillis(300)));
        assertEquals("1500 ms", ApplyWorker.human(Duration.ofMillis(1500)));
        assertEquals("90 s", ApplyWorker.human(Duration.ofSeconds(90)));
        assertEquals("5 min", ApplyWorker.human(Duration.ofMinutes(5)));
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}

package io.timeshift.host.apply;

import io.timeshift.common.policy.GuestPolicy;

import io.timeshift.host.env.HostConfig;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.ApplyWorkerFixture;
import io.timeshift.common.error.EnvironmentException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.timeshift.host.testing.ApplyWorkerFixture.VM;
import static io.timeshift.host.testing.ApplyWorkerFixture.DATE;
import static io.timeshift.host.testing.ApplyWorkerFixture.D;
import static io.timeshift.host.testing.ApplyWorkerFixture.T0;
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
    @RegisterExtension
    final ApplyWorkerFixture fx = ApplyWorkerFixture.runningKeepingTimeSync();

    @Nested
    class TheListener {
        @Test
        void isToldTheOutcomeWithThePolicyAndTheRecord() {
            List<String> told = new ArrayList<>();

            ApplyRecord r = fx.worker().withListener((vmid, policy, rec) ->
                    told.add(vmid + " " + policy.summary() + " " + rec.result().id)).apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertEquals(1, told.size());
            assertTrue(told.get(0).startsWith("105 "), told.toString());
            assertTrue(told.get(0).endsWith(" ok"), told.toString());
        }

        @Test
        void thatFailsOnlyCostsAWarningInTheLog() {
            ApplyRecord r = fx.worker().withListener((vmid, policy, rec) -> {
                throw new EnvironmentException("cannot update the Notes of VM 105: pmxcfs is read-only");
            }).apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertTrue(fx.log().contains("VM 105: warning: cannot update the Notes of VM 105: pmxcfs is read-only\n"), fx.log());
        }
    }

    @Nested
    class HostFiles {
        @Test
        void anAuditLogThatCannotBeWrittenOnlyCostsAWarning() throws Exception {
            Files.createDirectories(fx.host().paths().auditLog()); // a directory where the log file should be

            ApplyRecord r = fx.worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertTrue(fx.log().contains(" warning: "), fx.log());
            assertEquals("ok", fx.host().stateObject(VM, "lastApply").get("result"));
        }

        @Test
        void aStateDirectoryThatCannotBeCreatedIsAnEnvironmentError() throws Exception {
            Path state = fx.host().paths().stateDir();
            deleteTree(state);
            Files.createDirectories(state.getParent());
            Files.writeString(state, "not a directory");

            EnvironmentException e = assertThrows(EnvironmentException.class, () -> fx.worker().apply(VM, false, false));

            assertEquals(3, e.exitCode());
            assertTrue(e.getMessage().startsWith("cannot create " + state + ": "), e.getMessage());
            assertEquals(List.of(), fx.ga.requests());
        }

        @Test
        void aWorkerLockThatCannotBeOpenedIsAnEnvironmentError() throws Exception {
            Files.createDirectories(fx.host().paths().workerLock(VM)); // a directory: cannot be opened for writing

            EnvironmentException e = assertThrows(EnvironmentException.class, () -> fx.worker().apply(VM, false, false));

            assertTrue(e.getMessage().startsWith("cannot lock " + fx.host().paths().workerLock(VM) + ": "), e.getMessage());
            assertEquals(List.of(), fx.ga.requests());
        }
    }

    @Nested
    class GuestOs {
        @Test
        void anAgentWithoutOsinfoIsTakenForLinuxAndGetsThePolicyFile() {
            fx.ga.blockRpcs("guest-get-osinfo");

            ApplyRecord r = fx.worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertFalse(r.toJson().containsKey("guestOs"), r.toJson().toString());
            assertEquals(GuestPolicy.FILE, r.toJson().get("guestPolicy"));
        }

        @Test
        void aWindowsGuestGetsItsClockButNoPolicyFile() {
            Map<String, Object> windows = new LinkedHashMap<>();
            windows.put("id", "mswindows");
            windows.put("pretty-name", "Windows Server 2019 Standard");
            fx.ga.osInfo(windows);

            ApplyRecord r = fx.worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertEquals(D, fx.ga.guestNow());
            assertEquals("Windows Server 2019 Standard", r.toJson().get("guestOs"));
            assertFalse(r.toJson().containsKey("guestPolicy"), r.toJson().toString());
            assertEquals(List.of(), fx.ga.execs());
            assertFalse(fx.ga.files().containsKey(GuestPolicy.FILE));
        }
    }

    @Nested
    class DuringTheHold {
        @Test
        void aVmThatStopsEndsTheHoldAndSaysSo() {
            fx.atSleep(fx.ga::vmStopped);

            ApplyRecord r = fx.worker().apply(VM, true, true);

            assertTrue(r.ok(), r.message());
            assertEquals("VM stopped during the hold period", r.toJson().get("hold"));
            assertEquals(T0.plusSeconds(1).toString(), r.toJson().get("holdEndedAt"));
        }

        @Test
        void anAgentThatGoesQuietIsLookedAtAgainUntilTheHoldEnds() {
            fx.atSleep(fx.ga::neverAnswer);
            fx.atSleep(fx.ga::answer);

            ApplyRecord r = fx.worker().apply(VM, true, true);

            assertTrue(r.ok(), r.message());
            assertFalse(r.toJson().containsKey("hold"), r.toJson().toString());
            assertEquals(0, r.reapplied());
            // the verify, the quiet first look (its sync unanswered, so no guest-get-time sent), then more looks
            assertTrue(fx.ga.getTimeCalls() >= 1 + 2, "answered looks: " + fx.ga.getTimeCalls());
            assertEquals(fx.sleeps() - 1, fx.ga.getTimeCalls() - 1, "one look per sleep, all answered but the quiet one");
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

package io.timeshift.host.apply;

import io.timeshift.host.io.Json;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.state.VmState;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.host.testing.JavaProcesses;
import io.timeshift.host.testing.LockHolderMain;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.ApplyWorkerFixture;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.timeshift.host.testing.ApplyWorkerFixture.VM;
import static io.timeshift.host.testing.ApplyWorkerFixture.DATE;
import static io.timeshift.host.testing.ApplyWorkerFixture.D;
import static io.timeshift.host.testing.ApplyWorkerFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The apply worker against a fake qemu-ga: what it sends the guest, what it writes to state and the audit
 * log, how it reacts to a silent agent, a clock that jumps during the hold, and a second worker.
 */
class ApplyWorkerTest {
    private static final String GUEST_POLICY = "/var/lib/time-shift-guest/policy.json";

    @RegisterExtension
    final ApplyWorkerFixture fx = new ApplyWorkerFixture().withAgentSocket();

    private static long nanos(Instant t) {
        return FakeQemuGa.nanos(t);
    }

    private String setTimeFrame(long ns) {
        return "{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":" + ns + "}}";
    }

    /** As pre-start would have left it. */
    private void preStartRecorded(long offsetNs, String policySummary) {
        new StateStore(fx.host().paths()).update(VM, s -> s.run(new VmState.Run(T0.toString(), T0, offsetNs, "offset", false,
                policySummary)));
    }

    private static String systemctlShow(String... blocks) {
        return String.join("\n\n", blocks) + "\n";
    }

    private static String unit(String id, String load, String active, String fileState) {
        return "Id=" + id + "\nLoadState=" + load + "\nActiveState=" + active + "\nUnitFileState=" + fileState;
    }

    /** Every apply learns the guest's zone for the next startdate of a local-time RTC (docs/pve-rtc.md). */
    @Nested
    class LearningTheGuestZone {
        @Test
        void theAgentsZoneAndOffsetAreRecordedInStateWithTheTimeTheyWereLearned() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.ga.timezone(Map.of("zone", "PKT", "offset", 18000));

            assertTrue(fx.worker().apply(VM, false, false).ok());

            Map<String, Object> z = fx.host().stateObject(VM, "guestZone");
            assertEquals(18000, ((Number) z.get("offsetSeconds")).intValue());
            assertEquals("PKT", z.get("zone"));
            assertEquals(T0.toString(), z.get("learnedAt"));
            assertEquals("+05:00 PKT", fx.lastApply().get("guestZone"));
            assertEquals(new io.timeshift.host.time.GuestRtc.Learned(18000, "PKT", T0),
                    new StateStore(fx.host().paths()).read(VM).guestZone());
        }

        @Test
        void anAgentWithoutTheCommandLeavesTheApplyOkAndTheOldReportInPlace() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            new StateStore(fx.host().paths()).update(VM, s -> s.guestZone(new io.timeshift.host.time.GuestRtc.Learned(3600, "CET", D)));
            fx.ga.failCommand("guest-get-timezone", "The command guest-get-timezone has been disabled for this instance");

            ApplyRecord r = fx.worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertTrue(String.valueOf(fx.lastApply().get("guestZone")).startsWith("not learned: "), fx.lastApply().toString());
            assertEquals(3600, new StateStore(fx.host().paths()).read(VM).guestZone().offsetSeconds());
        }

        @Test
        void aHostileOffsetIsNotRecorded() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.ga.timezone(Map.of("zone", "X", "offset", 999_999));

            assertTrue(fx.worker().apply(VM, false, false).ok());

            assertNull(new StateStore(fx.host().paths()).read(VM).guestZone());
            assertTrue(String.valueOf(fx.lastApply().get("guestZone")).contains("beyond +-18:00"), fx.lastApply().toString());
        }
    }

    @Nested
    class Applying {
        @Test
        void manualApplyOfAFixedPolicySetsTheGuestToTheDateExactly() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));

            ApplyRecord r = fx.worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertEquals(List.of(setTimeFrame(nanos(D))), fx.ga.requests("guest-set-time").stream().map(FakeQemuGa.Request::frame).toList());
            Map<String, Object> run = fx.host().stateObject(VM, "run");
            assertEquals("manual", run.get("reason"));
            assertEquals(Duration.between(T0, D).toNanos(), ((Number) run.get("offsetNs")).longValue());
        }

        @Test
        void workerFromTheHookSetsNowPlusTheOffsetPreStartRecorded() {
            fx.host().policy(PolicyJson.offset(VM, "-3y"));
            long offset = Duration.ofDays(-1095).toNanos();
            preStartRecorded(offset, "offset -PT26280H");
            fx.clock.advance(Duration.ofSeconds(20)); // the guest booted for a while before its agent answered

            fx.worker().apply(VM, true, false);

            assertEquals(setTimeFrame(nanos(fx.clock.instant()) + offset), fx.ga.requests("guest-set-time").get(0).frame());
            assertEquals(fx.clock.instant().plusNanos(offset), fx.ga.guestNow());
        }

        @Test
        void pingsBeforeSettingAndVerifiesAfter() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("timeSync", "keep"));

            fx.worker().apply(VM, false, false);

            List<String> order = fx.ga.requests().stream().map(FakeQemuGa.Request::command).toList();
            int set = order.indexOf("guest-set-time");
            assertEquals("guest-ping", order.get(0), order.toString());
            assertEquals("guest-get-time", order.get(set + 1), order.toString()); // read back at once
        }

        @Test
        void writesOkStateWithTheMeasuredError() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.ga.setTimeSkew(Duration.ofMillis(2));

            ApplyRecord r = fx.worker().apply(VM, false, false);

            assertEquals(2.0, r.reading().errorMs());
            Map<String, Object> last = fx.lastApply();
            assertEquals("ok", last.get("result"));
            assertEquals(2.0, ((Number) last.get("errorMs")).doubleValue());
            assertEquals(D.plusMillis(2).toString(), last.get("guestTimeAfter"));
            assertEquals(T0.toString(), last.get("startedAt"));
            assertEquals(T0.toString(), last.get("finishedAt"));
            assertEquals(ProcessHandle.current().pid(), ((Number) last.get("workerPid")).longValue());
            assertEquals(0, ((Number) last.get("agentWaitMs")).longValue());
            assertTrue(String.valueOf(last.get("message")).startsWith("guest clock set to " + D.plusMillis(2)), last.toString());
        }

        @Test
        void setsAgainWhileTheGuestLandsOffTheTarget() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.ga.setTimeSkew(Duration.ofMillis(5)); // beyond the 3 ms aim, within the 2 s tolerance

            ApplyRecord r = fx.worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertEquals(3, fx.ga.requests("guest-set-time").size());
        }

        @Test
        void failsWithExitThreeWhenTheGuestStaysOutsideTolerance() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.ga.setTimeSkew(Duration.ofSeconds(3));

            EnvironmentException e = assertThrows(EnvironmentException.class, () -> fx.worker().apply(VM, false, false));

            assertEquals(3, e.exitCode());
            assertEquals(3, fx.ga.requests("guest-set-time").size());
            assertEquals("failed", fx.lastApply().get("result"));
            assertEquals(e.getMessage(), fx.lastApply().get("message"));
        }

        @Test
        void writesTheGuestPolicyFileThroughTheAgent() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("targets", List.of("https://idrac.example:443")));

            ApplyRecord r = fx.worker().apply(VM, false, true);

            assertTrue(fx.ga.execs().contains(List.of("mkdir", "-p", "/var/lib/time-shift-guest")), fx.ga.execs().toString());
            byte[] file = fx.ga.files().get(GUEST_POLICY);
            assertNotNull(file, fx.ga.files().keySet().toString());
            Map<String, Object> g = Json.parseObject(new String(file, StandardCharsets.UTF_8), "guest policy");
            assertEquals(1, ((Number) g.get("version")).intValue());
            assertEquals(VM, ((Number) g.get("vmid")).intValue());
            assertEquals("fixed", g.get("mode"));
            assertEquals(DATE, g.get("date"));
            assertEquals("PT2S", g.get("tolerance"));
            assertEquals(List.of("https://idrac.example:443"), g.get("targets"));
            assertEquals(Duration.between(T0, D).toMillis(), ((Number) g.get("expectedOffsetMs")).longValue());
            assertEquals(D.toString(), g.get("appliedAt"));
            assertFalse(g.containsKey("original"));
            assertEquals(GUEST_POLICY, r.toJson().get("guestPolicy"));
            assertEquals(GUEST_POLICY, fx.lastApply().get("guestPolicy"));
            List<String> fileOps = fx.ga.requests().stream().map(FakeQemuGa.Request::command).filter(c -> c.startsWith("guest-file")).toList();
            assertEquals(List.of("guest-file-open", "guest-file-write", "guest-file-close"), fileOps);
            assertEquals(Map.of("path", GUEST_POLICY, "mode", "w"), fx.ga.requests("guest-file-open").get(0).arguments());
        }

        @Test
        void aGuestPolicyWriteFailureIsNotedNotFatal() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.ga.failCommand("guest-file-open", "Permission denied");

            ApplyRecord r = fx.worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertTrue(String.valueOf(r.toJson().get("guestPolicy")).startsWith("not written: "), r.toJson().toString());
        }

        @Test
        void recordsTheGuestPolicyOutcomeInStateWithoutHold() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));

            fx.worker().apply(VM, false, false);

            assertEquals(GUEST_POLICY, fx.lastApply().get("guestPolicy"));
        }

        @Test
        void appendsOneApplyAuditLineThatVerifies() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));

            fx.worker().apply(VM, false, false);

            List<Map<String, Object>> audit = fx.host().auditEntries();
            assertEquals(1, audit.size());
            assertEquals("apply", audit.get(0).get("action"));
            assertEquals("root", audit.get(0).get("actor"));
            assertEquals("ok", ((Map<?, ?>) audit.get(0).get("details")).get("result"));
            assertTrue(fx.host().verifyAudit(fx.clock).ok());
        }

        @Test
        void aVmWithoutPolicyIsInvalidInput() {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> fx.worker().apply(VM, false, false));

            assertEquals(2, e.exitCode());
            assertTrue(e.getMessage().contains("time-shift enable 105"), e.getMessage());
            assertEquals(List.of(), fx.ga.requests());
        }
    }

    @Nested
    class TimeSync {
        @Test
        void disablesUnitsTheGuestReportsActiveOrEnabledAndRecordsThem() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.ga.onExec((path, args) -> {
                if (path.equals("systemctl") && args.get(0).equals("show")) {
                    return FakeQemuGa.ExecReply.ok(systemctlShow(
                            unit("systemd-timesyncd.service", "loaded", "active", "enabled"),
                            unit("chrony.service", "not-found", "inactive", ""),
                            unit("chronyd.service", "not-found", "inactive", ""),
                            unit("ntp.service", "loaded", "inactive", "disabled"),
                            unit("ntpsec.service", "loaded", "inactive", "enabled"),
                            unit("ntpd.service", "not-found", "inactive", ""),
                            unit("openntpd.service", "not-found", "inactive", "")));
                }
                return FakeQemuGa.ExecReply.ok("");
            });

            fx.worker().apply(VM, false, false);

            assertEquals(List.of("systemctl", "show", "--property=Id,LoadState,ActiveState,UnitFileState",
                    "systemd-timesyncd.service", "chrony.service", "chronyd.service", "ntp.service", "ntpsec.service",
                    "openntpd.service", "ntpd.service"), fx.ga.execs().get(0));
            assertTrue(fx.ga.execs().contains(List.of("systemctl", "disable", "--now", "systemd-timesyncd.service", "ntpsec.service")),
                    fx.ga.execs().toString());
            assertEquals(List.of("systemd-timesyncd.service", "ntpsec.service"), new StateStore(fx.host().paths()).read(VM).timeSyncDisabled());
            assertEquals("disabled systemd-timesyncd.service, ntpsec.service", fx.lastApply().get("timeSync"));
        }

        @Test
        void addsToUnitsDisabledEarlier() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            new StateStore(fx.host().paths()).update(VM, s -> s.timeSyncDisabled(List.of("chrony.service")));
            fx.ga.onExec((path, args) -> args.get(0).equals("show")
                    ? FakeQemuGa.ExecReply.ok(systemctlShow(unit("systemd-timesyncd.service", "loaded", "active", "enabled")))
                    : FakeQemuGa.ExecReply.ok(""));

            fx.worker().apply(VM, false, false);

            assertEquals(List.of("chrony.service", "systemd-timesyncd.service"), new StateStore(fx.host().paths()).read(VM).timeSyncDisabled());
        }

        @Test
        void keepsThemWithTimeSyncKeep() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("timeSync", "keep"));
            fx.ga.onExec((path, args) -> FakeQemuGa.ExecReply.ok(systemctlShow(unit("systemd-timesyncd.service", "loaded", "active", "enabled"))));

            fx.worker().apply(VM, false, false);

            assertTrue(fx.ga.execs().stream().noneMatch(a -> a.get(0).equals("systemctl")), fx.ga.execs().toString());
            assertEquals(List.of(), new StateStore(fx.host().paths()).read(VM).timeSyncDisabled());
            assertEquals("kept (policy timeSync=keep)", fx.lastApply().get("timeSync"));
        }

        @Test
        void aFailedDisableIsReportedAndNothingRecorded() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.ga.onExec((path, args) -> args.get(0).equals("show")
                    ? FakeQemuGa.ExecReply.ok(systemctlShow(unit("chrony.service", "loaded", "active", "enabled")))
                    : new FakeQemuGa.ExecReply(1, "", "Failed to disable unit: Access denied\n"));

            fx.worker().apply(VM, false, false);

            assertEquals(List.of(), new StateStore(fx.host().paths()).read(VM).timeSyncDisabled());
            assertEquals("could not disable chrony.service: systemctl exit 1 Failed to disable unit: Access denied",
                    fx.lastApply().get("timeSync"));
        }
    }

    @Nested
    class SilentAgent {
        @Test
        void failsNamingQemuGuestAgentWithExitThreeAndRecordsIt() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.ga.neverAnswer();

            EnvironmentException e = assertThrows(EnvironmentException.class, () -> fx.worker().apply(VM, true, true));

            assertEquals(3, e.exitCode());
            assertTrue(e.getMessage().contains("qemu-guest-agent"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            Map<String, Object> last = fx.lastApply();
            assertEquals("failed", last.get("result"));
            assertEquals(e.getMessage(), last.get("message"));
            assertNotNull(last.get("finishedAt"));
            assertTrue(fx.ga.requests().stream().allMatch(r -> r.command().equals("guest-ping")), fx.ga.requests().toString());
            assertEquals("failed", ((Map<?, ?>) fx.host().auditEntries().get(0).get("details")).get("result"));
        }

        @Test
        void aStoppedVmFailsAtOnceWithoutRetrying() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.ga.vmStopped();

            EnvironmentException e = assertThrows(EnvironmentException.class, () -> fx.worker().apply(VM, true, true));

            assertEquals(3, e.exitCode());
            assertTrue(e.getMessage().contains("not running"), e.getMessage());
            assertEquals("failed", fx.lastApply().get("result"));
        }
    }

    @Nested
    class Hold {
        @Test
        void aClockJumpDuringTheHoldIsReappliedOnceAndRecorded() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("timeSync", "keep"));
            fx.ga.jumpAtGetTime(2, Duration.ofDays(1780)); // systemd's build-time epoch bump

            ApplyRecord r = fx.worker().apply(VM, true, true);

            assertTrue(r.ok(), r.message());
            assertEquals(1, r.reapplied());
            assertEquals(2, fx.ga.requests("guest-set-time").size());
            Map<String, Object> last = fx.lastApply();
            assertEquals("ok", last.get("result"));
            assertEquals(1, ((Number) last.get("reapplied")).intValue());
            assertTrue(String.valueOf(last.get("message")).contains("re-applied once: guest clock jumped by +153792000.000 s"),
                    last.toString());
            assertNotNull(last.get("holdEndedAt"));
            assertEquals(1, ((Number) ((Map<?, ?>) fx.host().auditEntries().get(0).get("details")).get("reapplied")).intValue());
            assertEquals(fx.clock.instant().plus(Duration.between(T0, D)), fx.ga.guestNow());
        }

        @Test
        void aSecondJumpFailsTheApply() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("timeSync", "keep"));
            fx.ga.jumpAtGetTime(2, Duration.ofMinutes(-5)).jumpAtGetTime(4, Duration.ofMinutes(-5));

            ApplyRecord r = fx.worker().apply(VM, true, true);

            assertFalse(r.ok());
            assertEquals("failed", r.result().id);
            assertEquals(2, fx.ga.requests("guest-set-time").size());
            assertEquals("failed", fx.lastApply().get("result"));
            assertTrue(String.valueOf(fx.lastApply().get("message")).contains("again after re-applying"), fx.lastApply().toString());
            assertEquals("failed", ((Map<?, ?>) fx.host().auditEntries().get(0).get("details")).get("result"));
        }

        @Test
        void aSteadyClockIsWatchedForTheWholeHoldWithoutResetting() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("timeSync", "keep"));

            ApplyRecord r = fx.worker().apply(VM, true, true);

            assertTrue(r.ok(), r.message());
            assertEquals(0, r.reapplied());
            assertEquals(1, fx.ga.requests("guest-set-time").size());
            assertEquals(1 + 5, fx.ga.getTimeCalls()); // the verify, then one look per second of the 5 s hold
            assertEquals(T0.plusSeconds(5).toString(), fx.lastApply().get("holdEndedAt"));
        }
    }

    @Nested
    class OneWorkerPerVm {
        @Test
        void refusesASecondWorkerWhileAnotherProcessHoldsTheLock() throws Exception {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            Files.createDirectories(fx.host().paths().stateDir());
            Process holder = JavaProcesses.start(LockHolderMain.class, fx.host().paths().workerLock(VM).toString());
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("locked", r.readLine());

                EnvironmentException e = assertThrows(EnvironmentException.class, () -> fx.worker().apply(VM, true, true));

                assertEquals(3, e.exitCode());
                assertTrue(e.getMessage().contains("another apply for VM 105 is running"), e.getMessage());
                assertEquals(List.of(), fx.ga.requests());
                assertFalse(Files.exists(fx.host().paths().stateFile(VM)));
            } finally {
                holder.getOutputStream().close();
                assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
            }

            assertTrue(fx.worker().apply(VM, true, false).ok()); // and once it is gone, the next worker runs
        }
    }

    @Test
    void silentAgentMessageStatesTheWaitInUnitsThatFit() {
        // agentWait 300 ms: "did not answer within 0 s" would be wrong
        fx.host().policy(PolicyJson.fixed(VM, DATE));
        fx.ga.neverAnswer();

        EnvironmentException e = assertThrows(EnvironmentException.class, () -> fx.worker().apply(VM, true, false));

        assertTrue(e.getMessage().contains("within 300 ms"), e.getMessage());
    }

    @Nested
    class HostileGuest {
        @Test
        void aNulAnEscapeAndAMegabyteInTheOsNameStillFinishTheApplyTurnTimeSyncOffAndAudit() throws Exception {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.ga.osInfo(FakeQemuGa.hostileOsInfo());
            fx.ga.onExec((path, args) -> path.equals("systemctl") && args.get(0).equals("show")
                    ? FakeQemuGa.ExecReply.ok(systemctlShow(unit("systemd-timesyncd.service", "loaded", "active", "enabled")))
                    : FakeQemuGa.ExecReply.ok(""));

            ApplyRecord r = fx.worker().apply(VM, false, false);

            assertTrue(r.ok(), r.message());
            assertEquals(List.of("systemd-timesyncd.service"), new StateStore(fx.host().paths()).read(VM).timeSyncDisabled());
            String guestOs = String.valueOf(fx.lastApply().get("guestOs"));
            assertEquals(200, guestOs.length());
            assertTrue(guestOs.endsWith("\u2026"));
            Map<String, Object> audit = fx.host().auditEntries().get(fx.host().auditEntries().size() - 1);
            assertEquals("ok", ((Map<?, ?>) audit.get("details")).get("result"));
            assertTrue(Files.size(fx.host().paths().auditLog()) < 8192);
        }

        @Test
        void aGuestReadingOfMinusTwoToTheSixtyThirdAfterTheSetIsARecordedFailureNotAnOverflow() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.ga.getTimeAnswers(Long.MIN_VALUE);

            assertThrows(io.timeshift.common.error.EnvironmentException.class, () -> fx.worker().apply(VM, false, false));

            assertEquals("failed", fx.lastApply().get("result"));
            assertTrue(String.valueOf(fx.lastApply().get("message")).contains("outside 1970-01-01T00:00:00Z..2069-12-31T23:59:59Z"),
                    String.valueOf(fx.lastApply().get("message")));
        }
    }
}

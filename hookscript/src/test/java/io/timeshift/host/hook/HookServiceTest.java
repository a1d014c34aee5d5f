package io.timeshift.host.hook;

import io.timeshift.host.env.HostConfig;
import io.timeshift.host.io.Json;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.RecordingDetacher;
import io.timeshift.host.testing.ApplyWorkerFixture;
import io.timeshift.host.testing.TempHost;
import io.timeshift.common.time.Instants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.timeshift.host.testing.ApplyWorkerFixture.VM;
import static io.timeshift.host.testing.ApplyWorkerFixture.DATE;
import static io.timeshift.host.testing.ApplyWorkerFixture.D;
import static io.timeshift.host.testing.ApplyWorkerFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hook as Proxmox runs it, phase by phase, on a temp node: a fake agent behind the socket seam, a
 * detacher that only records, and a clock that moves when the test says so.
 */
class HookServiceTest {
    @RegisterExtension
    final ApplyWorkerFixture fx = new ApplyWorkerFixture();
    private RecordingDetacher detacher = new RecordingDetacher();
    /** Proxmox sets PVE_MIGRATED_FROM for every start; undef in Perl arrives as the empty string. */
    private final Map<String, String> env = new HashMap<>(Map.of("PVE_MIGRATED_FROM", ""));

    /** A fake /proc: empty unless a test builds the process tree the hook runs in. */
    private Path proc;

    @BeforeEach
    void node() {
        proc = fx.dir().resolve("proc");
    }

    private Outcome outcome(String phase) {
        return fx.hookService(env, detacher).procDir(proc).handle(VM, phase);
    }

    private int hook(String phase) {
        return outcome(phase).exitCode();
    }

    private Map<String, Object> run() {
        return fx.host().stateObject(VM, "run");
    }

    private Map<String, Object> lastStop() {
        return fx.host().stateObject(VM, "lastStop");
    }

    private static long nanosBetween(Instant from, Instant to) {
        return Duration.between(from, to).toNanos();
    }

    private List<Object> auditActions() {
        return fx.host().auditEntries().stream().map(m -> m.get("action")).toList();
    }

    private void assertAuditVerifies() {
        var v = fx.host().verifyAudit(fx.clock);
        assertTrue(v.ok(), v.problem());
    }

    @Nested
    class WithoutPolicy {
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"pre-start", "post-start", "pre-stop", "post-stop", "pre-restore"})
        void exitsZeroAndPrintsNothing(String phase) {
            assertEquals(0, hook(phase));

            assertEquals("", fx.out.toString(StandardCharsets.UTF_8));
            assertEquals("", fx.err.toString(StandardCharsets.UTF_8));
            assertFalse(Files.exists(fx.host().paths().stateFile(VM)));
            assertFalse(Files.exists(fx.host().paths().auditLog()));
            assertEquals(List.of(), detacher.spawns());
            assertEquals(List.of(), fx.ga.requests());
        }
    }

    @Nested
    class UnknownPhase {
        @Test
        void exitsZeroWithOneWarningLine() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("onError", "abort"));

            assertEquals(0, hook("pre-migrate"));

            assertEquals(1, fx.errLines().size(), fx.errLines().toString());
            assertTrue(fx.errLines().get(0).contains("unknown hook phase 'pre-migrate'"), fx.errLines().get(0));
            assertEquals(List.of(), fx.outLines());
            assertFalse(Files.exists(fx.host().paths().stateFile(VM)));
            assertEquals(List.of(), detacher.spawns());
        }
    }

    @Nested
    class InvalidPolicy {
        @Test
        void preStartWarnsOnceAndLetsTheVmStartWhenOnErrorWarn() {
            fx.host().policy(PolicyJson.fixed(VM, null));

            assertEquals(0, hook("pre-start"));

            assertEquals(1, fx.errLines().size(), fx.errLines().toString());
            String line = fx.errLines().get(0);
            assertTrue(line.contains(fx.host().paths().policyFile(VM).toString()), line);
            assertTrue(line.contains("field 'date'"), line);
            assertTrue(line.contains("not shifted"), line);
            assertFalse(Files.exists(fx.host().paths().stateFile(VM)));
            assertAuditVerifies();
        }

        @Test
        void preStartRefusesTheStartWithExitTwoWhenOnErrorAbort() {
            fx.host().policy(PolicyJson.fixed(VM, "2070-01-01").with("onError", "abort"));

            assertEquals(2, hook("pre-start"));

            assertEquals(1, fx.errLines().size(), fx.errLines().toString());
            assertTrue(fx.errLines().get(0).contains("field 'date'"), fx.errLines().get(0));
            assertTrue(fx.errLines().get(0).contains("start refused"), fx.errLines().get(0));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"post-start", "pre-stop", "post-stop"})
        void laterPhasesNeverFailEvenWithAbort(String phase) {
            fx.host().policy(PolicyJson.fixed(VM, null).with("onError", "abort"));

            assertEquals(0, hook(phase));

            assertEquals(1, fx.errLines().size(), fx.errLines().toString());
            assertEquals(List.of(), detacher.spawns());
        }

        @Test
        void aTruncatedPolicyCannotSayAbortSoTheVmStarts() {
            fx.host().policy(VM, "{\"version\":1,\"vm");

            assertEquals(0, hook("pre-start"));

            assertEquals(1, fx.errLines().size(), fx.errLines().toString());
            assertTrue(fx.errLines().get(0).contains("not valid JSON"), fx.errLines().get(0));
        }
    }

    @Nested
    class PreStart {
        @Test
        void fixedModeOffsetIsDateMinusNow() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));

            assertEquals(0, hook("pre-start"));

            Map<String, Object> run = run();
            assertEquals(nanosBetween(T0, D), ((Number) run.get("offsetNs")).longValue());
            assertEquals("fixed", run.get("reason"));
            assertEquals(false, run.get("backup"));
            assertEquals(T0.toString(), run.get("startedAt"));
            assertEquals("pre-start", fx.host().state(VM).get("lastPhase"));
            assertEquals(List.of(), fx.errLines());
            assertEquals(1, fx.outLines().size(), fx.outLines().toString());
            assertTrue(fx.outLines().get(0).contains("guest clock will be set to " + DATE), fx.outLines().get(0));
        }

        @Test
        void offsetModeOffsetIsThePolicyOffset() {
            fx.host().policy(PolicyJson.offset(VM, "-3y"));

            assertEquals(0, hook("pre-start"));

            assertEquals(Duration.ofDays(-1095).toNanos(), ((Number) run().get("offsetNs")).longValue());
            assertEquals("offset", run().get("reason"));
        }

        @Test
        void continueModeFirstStartBeginsAtTheDate() {
            fx.host().policy(PolicyJson.continuing(VM, DATE));

            assertEquals(0, hook("pre-start"));

            assertEquals(nanosBetween(T0, D), ((Number) run().get("offsetNs")).longValue());
            assertEquals("continue-first", run().get("reason"));
        }

        @Test
        void continueModeResumesFromTheGuestTimeRecordedAtTheLastStop() {
            fx.host().policy(PolicyJson.continuing(VM, DATE)).agentSocket(VM);
            hook("pre-start");
            fx.clock.advance(Duration.ofHours(1));
            Instant atStop = D.plus(Duration.ofHours(1)).plusMillis(250);
            fx.ga.guestTime(atStop);
            hook("pre-stop");
            hook("post-stop");
            fx.clock.advance(Duration.ofDays(2));

            assertEquals(0, hook("pre-start"));

            assertEquals("continue", run().get("reason"));
            assertEquals(nanosBetween(fx.clock.instant(), atStop), ((Number) run().get("offsetNs")).longValue());
            assertTrue(fx.outLines().get(0).contains("guest clock will be set to " + atStop), fx.outLines().get(0));
        }

        @Test
        void emptyMigratedFromIsNotAMigration() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            env.put("PVE_MIGRATED_FROM", "");

            hook("pre-start");
            hook("post-start");

            assertEquals("fixed", run().get("reason"));
            assertEquals(1, detacher.spawns().size());
        }

        @Test
        void nonEmptyMigratedFromKeepsTheGuestClockAndStartsNoWorker() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            env.put("PVE_MIGRATED_FROM", "pve1");

            assertEquals(0, hook("pre-start"));
            assertTrue(fx.outLines().get(0).contains("migrated from pve1"), fx.outLines().get(0));
            assertEquals(0, hook("post-start"));

            assertEquals("migrated", run().get("reason"));
            assertEquals("post-start", fx.host().state(VM).get("lastPhase"));
            assertNull(fx.host().state(VM).get("lastApply"));
            assertEquals(List.of(), detacher.spawns());
            Map<?, ?> details = (Map<?, ?>) fx.host().auditEntries().get(0).get("details");
            assertEquals("pve1", details.get("migratedFrom"));
        }

        @Test
        void migrationKeepsTheOffsetMirroredFromTheSourceNode() {
            // continue mode on the source recorded a stop; the target only has the pmxcfs mirror
            fx.host().policy(PolicyJson.continuing(VM, DATE));
            hook("pre-start");
            long sourceOffset = ((Number) run().get("offsetNs")).longValue();
            hook("post-stop");
            assertTrue(Files.exists(fx.host().paths().clockMirror(VM)));
            fx.host().stateText(VM, "{\"vmid\":105}"); // another node: no local state
            fx.clock.advance(Duration.ofMinutes(5));
            env.put("PVE_MIGRATED_FROM", "pve1");

            hook("pre-start");

            assertEquals("migrated", run().get("reason"));
            assertEquals(sourceOffset, ((Number) run().get("offsetNs")).longValue());
        }

        @Test
        void backupLockMarksTheRunAsBackup() {
            fx.host().policy(PolicyJson.fixed(VM, DATE)).confWith(VM, "lock: backup");

            assertEquals(0, hook("pre-start"));

            assertEquals(true, run().get("backup"));
            assertEquals(true, ((Map<?, ?>) fx.host().auditEntries().get(0).get("details")).get("backup"));
            assertTrue(fx.outLines().get(0).contains("backup start"), fx.outLines().get(0));
        }

        @Test
        void hibernatedVmResumesWithTheOffsetItWasSuspendedWith() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            hook("pre-start");
            long before = ((Number) run().get("offsetNs")).longValue();
            fx.clock.advance(Duration.ofDays(1));
            fx.host().confWith(VM, "lock: suspended", "vmstate: local-lvm:vm-105-state-suspend-2026-01-10");

            assertEquals(0, hook("pre-start"));

            assertEquals("resume", run().get("reason"));
            assertEquals(before, ((Number) run().get("offsetNs")).longValue());
        }

        @Test
        void agentNotEnabledWarnsButStartsWhenOnErrorWarn() {
            fx.host().policy(PolicyJson.fixed(VM, DATE)).conf(VM, TempHost.CONF.replace("agent: 1", "agent: 0"));

            assertEquals(0, hook("pre-start"));

            assertEquals(1, fx.errLines().size(), fx.errLines().toString());
            assertTrue(fx.errLines().get(0).contains("warning: the QEMU guest agent is not enabled"), fx.errLines().get(0));
            assertTrue(fx.errLines().get(0).contains("qm set 105 --agent enabled=1"), fx.errLines().get(0));
            assertEquals("fixed", run().get("reason"));
        }

        @Test
        void agentNotEnabledRefusesTheStartWithExitThreeWhenOnErrorAbort() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("onError", "abort"))
                    .conf(VM, TempHost.CONF.replace("agent: 1\n", ""));

            assertEquals(3, hook("pre-start"));

            assertEquals(1, fx.errLines().size(), fx.errLines().toString());
            assertTrue(fx.errLines().get(0).contains("start refused"), fx.errLines().get(0));
            assertFalse(Files.exists(fx.host().paths().stateFile(VM)));
        }

        @Test
        void guestTimeBeyond2069WarnsOrRefusesPerOnError() {
            fx.host().policy(PolicyJson.offset(VM, "50y"));
            assertEquals(0, hook("pre-start"));
            assertEquals(1, fx.errLines().size(), fx.errLines().toString());
            assertTrue(fx.errLines().get(0).contains("1970-2069"), fx.errLines().get(0));

            fx.host().policy(PolicyJson.offset(VM, "50y").with("onError", "abort"));
            assertEquals(2, hook("pre-start"));
        }

        @Test
        void missingVmConfigIsAnEnvironmentError() throws Exception {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("onError", "abort"));
            Files.delete(fx.host().paths().vmConf(VM));

            assertEquals(3, hook("pre-start"));
            assertEquals(1, fx.errLines().size(), fx.errLines().toString());
        }

        @Test
        void aMalformedStateFileDoesNotBreakTheStart() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("onError", "abort"))
                    .stateText(VM, "{\"vmid\":105,\"run\":{\"startedAt\":\"x\",\"offsetNs\":\"y\"},\"lastStop\":{\"hostTime\":\"x\",\"guestTime\":\"y\"}}");

            assertEquals(0, hook("pre-start"));

            assertEquals("fixed", run().get("reason"));
        }

        @Test
        void continueModeStartsAtTheNewDateAfterThePolicyDateChanged() {
            fx.host().policy(PolicyJson.continuing(VM, DATE));
            hook("pre-start");
            fx.clock.advance(Duration.ofHours(1));
            hook("post-stop");
            fx.host().policy(PolicyJson.continuing(VM, "2019-01-01T00:00:00Z")); // re-enabled with another date
            fx.clock.advance(Duration.ofDays(1));

            hook("pre-start");

            assertEquals("continue-first", run().get("reason"));
            assertEquals(nanosBetween(fx.clock.instant(), Instant.parse("2019-01-01T00:00:00Z")),
                    ((Number) run().get("offsetNs")).longValue());
        }
    }

    @Nested
    class PostStart {
        @Test
        void spawnsExactlyTheApplyWorkerAndRecordsItsPid() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            hook("pre-start");

            assertEquals(0, hook("post-start"));

            assertEquals(1, detacher.spawns().size());
            RecordingDetacher.Spawn s = detacher.spawns().get(0);
            assertEquals(List.of("apply", "105", "--worker"), s.args());
            assertEquals(fx.host().paths().workerLog(VM), s.logFile());
            Map<String, Object> last = fx.host().stateObject(VM, "lastApply");
            assertEquals(s.pid(), ((Number) last.get("workerPid")).longValue());
            assertEquals("running", last.get("result"));
            assertEquals(T0.toString(), last.get("startedAt"));
            assertEquals("post-start", fx.host().state(VM).get("lastPhase"));
            assertEquals(List.of(), fx.ga.requests()); // the hook itself never waits for the agent
            assertTrue(fx.outLines().get(0).contains("worker pid " + s.pid()), fx.outLines().toString());
        }

        @Test
        void appendsAnAuditLine() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));

            hook("post-start");

            assertEquals(List.of("hook-post-start"), auditActions());
        }
    }

    @Nested
    class PreStop {
        @Test
        void recordsGuestTimeFromTheAgentAndMirrorsIt() {
            fx.host().policy(PolicyJson.continuing(VM, DATE)).agentSocket(VM);
            hook("pre-start");
            String runId = (String) run().get("id");
            fx.clock.advance(Duration.ofHours(1));
            Instant guest = Instant.parse("2021-03-01T13:00:00.123456789Z");
            fx.ga.guestTime(guest);

            assertEquals(0, hook("pre-stop"));

            Map<String, Object> stop = lastStop();
            assertEquals(guest.toString(), stop.get("guestTime"));
            assertEquals("agent", stop.get("source"));
            assertEquals(runId, stop.get("runId"));
            Instant hostTime = Instant.parse((String) stop.get("hostTime"));
            assertFalse(hostTime.isBefore(fx.clock.instant()));
            assertTrue(hostTime.isBefore(fx.clock.instant().plusSeconds(2)));
            assertEquals(List.of("guest-get-time"), fx.ga.requests().stream().map(FakeQemuGa.Request::command).toList());
            Map<String, Object> mirror = Json.parseObject(TempHost.read(fx.host().paths().clockMirror(VM)), "mirror");
            assertEquals(fx.host().paths().policyDir().resolve("105.clock.json"), fx.host().paths().clockMirror(VM));
            assertEquals(guest.toString(), mirror.get("guestTime"));
            assertEquals("agent", mirror.get("source"));
            assertEquals("pre-stop", fx.host().state(VM).get("lastPhase"));
            assertEquals(List.of(), fx.errLines());
        }

        @Test
        void silentAgentFallsBackToAnEstimateFromTheRunOffset() {
            fx.host().policy(PolicyJson.continuing(VM, DATE)).agentSocket(VM);
            hook("pre-start");
            fx.clock.advance(Duration.ofHours(1));
            fx.ga.neverAnswer();

            assertEquals(0, hook("pre-stop"));

            assertEquals("estimate", lastStop().get("source"));
            assertEquals(D.plus(Duration.ofHours(1)).toString(), lastStop().get("guestTime"));
            Map<?, ?> details = (Map<?, ?>) fx.host().auditEntries().get(1).get("details");
            assertTrue(String.valueOf(details.get("agent")).contains("did not answer"), details.toString());
        }

        @Test
        void noAgentSocketMeansNoAgentCall() {
            fx.host().policy(PolicyJson.continuing(VM, DATE));
            hook("pre-start");

            assertEquals(0, hook("pre-stop"));

            assertEquals("estimate", lastStop().get("source"));
            assertEquals(List.of(), fx.ga.requests());
        }

        @Test
        void preStopWithAZeroBudgetStillRecordsAnEstimate() {
            fx.host().policy(PolicyJson.continuing(VM, DATE)).agentSocket(VM);
            hook("pre-start");
            HookService svc = new HookService(fx.host().paths(), new HostConfig(Duration.ofSeconds(1), Duration.ofSeconds(1),
                    Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ZERO), env, fx.clock, fx.outStream(), fx.errStream(),
                    detacher, fx.ga::client);

            assertEquals(0, svc.handle(VM, "pre-stop").exitCode());
            assertEquals("estimate", lastStop().get("source"));
        }
    }

    /**
     * Run by the shell launcher ({@code TIME_SHIFT_DETACH=launcher}): a phase that leaves a worker says
     * so in its outcome and spawns nothing; the launcher starts it once the JVM is gone.
     */
    @Nested
    class ThroughTheLauncher {
        @BeforeEach
        void launcher() {
            detacher = new RecordingDetacher(Map.of("TIME_SHIFT_DETACH", "launcher"));
        }

        @Test
        void postStartLeavesTheApplyWorkerInItsOutcomeAndSpawnsNothing() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            hook("pre-start");

            Outcome o = outcome("post-start");

            assertEquals(0, o.exitCode());
            assertEquals(Detach.APPLY, o.detach());
            assertEquals(75, o.processExitCode());
            assertEquals(List.of(), detacher.spawns());
            Map<String, Object> last = fx.host().stateObject(VM, "lastApply");
            assertEquals("running", last.get("result"));
            assertEquals(null, last.get("workerPid"));
            Map<?, ?> details = (Map<?, ?>) fx.host().auditEntries().get(1).get("details");
            assertEquals("worker-requested", details.get("result"));
            assertEquals(List.of("time-shift: VM 105: applying the clock policy in the background (see: time-shift status 105)"),
                    fx.outLines());
        }

        @Test
        void postStopLeavesTheRearmWorkerWhenTheNextStartNeedsAnotherStartdate() {
            fx.host().policy(PolicyJson.continuing(VM, DATE));
            hook("pre-start");
            fx.clock.advance(Duration.ofMinutes(90).plusMillis(600));

            Outcome o = outcome("post-stop");

            assertEquals(Detach.REARM, o.detach());
            assertEquals(76, o.processExitCode());
            assertEquals(List.of(), detacher.spawns());
            Map<?, ?> details = (Map<?, ?>) fx.host().auditEntries().get(1).get("details");
            assertEquals("2021-03-01T13:30:00", details.get("rearm"));
            assertEquals(null, details.get("rearmPid"));
        }

        @Test
        void postStopOfAFixedDateLeavesNoWorker() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            hook("pre-start");
            fx.clock.advance(Duration.ofHours(1));

            Outcome o = outcome("post-stop");

            assertEquals(null, o.detach());
            assertEquals(0, o.processExitCode());
            assertEquals(List.of(), detacher.spawns());
        }

        @Test
        void preStartAndPreStopLeaveNoWorker() {
            fx.host().policy(PolicyJson.continuing(VM, DATE));

            Outcome start = outcome("pre-start");
            Outcome stop = outcome("pre-stop");

            assertEquals(List.of("exit 0", "exit 0"), List.of(start.toString(), stop.toString()));
        }

        @Test
        void aMigrationTargetsPostStartLeavesNoWorker() {
            env.put("PVE_MIGRATED_FROM", "pve2");
            fx.host().policy(PolicyJson.fixed(VM, DATE));

            Outcome o = outcome("post-start");

            assertEquals(null, o.detach());
            assertEquals(List.of(), detacher.spawns());
        }
    }

    @Nested
    class PostStop {
        @Test
        void withoutPreStopEstimatesGuestTimeFromTheRunOffset() {
            fx.host().policy(PolicyJson.continuing(VM, DATE));
            hook("pre-start");
            fx.clock.advance(Duration.ofHours(3));

            assertEquals(0, hook("post-stop"));

            Instant expected = D.plus(Duration.ofHours(3));
            assertEquals("estimate", lastStop().get("source"));
            assertEquals(expected.toString(), lastStop().get("guestTime"));
            assertEquals(fx.clock.instant().toString(), lastStop().get("hostTime"));
            assertEquals("post-stop", fx.host().state(VM).get("lastPhase"));
            assertEquals(expected.toString(),
                    Json.parseObject(TempHost.read(fx.host().paths().clockMirror(VM)), "m").get("guestTime"));
        }

        @Test
        void usesTheGuestTimeThatPreStopMeasured() {
            fx.host().policy(PolicyJson.continuing(VM, DATE)).agentSocket(VM);
            hook("pre-start");
            fx.clock.advance(Duration.ofHours(1));
            Instant guest = Instant.parse("2021-03-01T13:00:07Z");
            fx.ga.guestTime(guest);
            hook("pre-stop");
            fx.clock.advance(Duration.ofSeconds(30));

            assertEquals(0, hook("post-stop"));

            assertEquals("agent", lastStop().get("source"));
            assertEquals(guest.toString(), lastStop().get("guestTime"));
            assertEquals(List.of("rearm", "105", "2021-03-01T13:00:07"), detacher.spawns().get(0).args());
        }

        @Test
        void runsOncePerRun() {
            fx.host().policy(PolicyJson.continuing(VM, DATE));
            hook("pre-start");
            fx.clock.advance(Duration.ofHours(1));
            hook("post-stop");
            Map<String, Object> state = fx.host().state(VM);
            int auditLines = fx.host().auditEntries().size();
            fx.clock.advance(Duration.ofMinutes(1));

            assertEquals(0, hook("post-stop"));

            assertEquals(state, fx.host().state(VM));
            assertEquals(auditLines, fx.host().auditEntries().size());
            assertEquals(1, detacher.spawns().size());
            assertEquals("", fx.out.toString(StandardCharsets.UTF_8) + fx.err.toString(StandardCharsets.UTF_8));
        }

        @Test
        void continueModeRearmsStartdateToTheGuestTimeAtStop() {
            fx.host().policy(PolicyJson.continuing(VM, DATE));
            hook("pre-start");
            fx.clock.advance(Duration.ofMinutes(90).plusMillis(600));

            hook("post-stop");

            RecordingDetacher.Spawn s = detacher.spawns().get(0);
            assertEquals(List.of("rearm", "105", "2021-03-01T13:30:00"), s.args());
            assertEquals(fx.host().paths().workerLog(VM), s.logFile());
            Map<?, ?> details = (Map<?, ?>) fx.host().auditEntries().get(1).get("details");
            assertEquals("2021-03-01T13:30:00", details.get("rearm"));
            assertEquals(s.pid(), ((Number) details.get("rearmPid")).longValue());
        }

        @Test
        void offsetModeRearmsStartdateToNowPlusOffset() {
            fx.host().policy(PolicyJson.offset(VM, "-90d"));
            hook("pre-start");
            fx.clock.advance(Duration.ofHours(2));

            hook("post-stop");

            String expected = Instants.pveStartdate(fx.clock.instant().minus(Duration.ofDays(90)));
            assertEquals("2025-10-12T10:00:00", expected);
            assertEquals(List.of(List.of("rearm", "105", expected)), detacher.spawns().stream().map(RecordingDetacher.Spawn::args).toList());
        }

        @Test
        void fixedModeNeverRearms() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            hook("pre-start");
            fx.clock.advance(Duration.ofHours(2));

            assertEquals(0, hook("post-stop"));

            assertEquals(List.of(), detacher.spawns());
        }

        @Test
        void aWindowsGuestIsRearmedByTheWorkerWhichComputesItsLocalTime() {
            fx.host().policy(PolicyJson.continuing(VM, DATE)).conf(VM, TempHost.CONF.replace("ostype: l26", "ostype: win11"));
            new io.timeshift.host.state.StateStore(fx.host().paths()).update(VM, st -> st.guestZone(
                    new io.timeshift.host.time.GuestRtc.Learned(18000, "PKT", T0)));
            hook("pre-start");
            fx.clock.advance(Duration.ofMinutes(90).plusMillis(600));

            hook("post-stop");

            assertEquals(List.of("rearm", "105"), detacher.spawns().get(0).args(), "no zone rules in the hook's JVM");
            Map<?, ?> details = (Map<?, ?>) fx.host().auditEntries().get(1).get("details");
            assertEquals("in the guest's local time (the worker computes it)", details.get("rearm"));
        }

        @Test
        void aLocaltimeGuestInFixedModeIsRearmedToo() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("guestZone", "America/New_York"))
                    .confWith(VM, "localtime: 1", "startdate: 2021-03-01T12:00:00");
            hook("pre-start");
            fx.clock.advance(Duration.ofHours(2));

            hook("post-stop");

            assertEquals(List.of("rearm", "105"), detacher.spawns().get(0).args());
        }

        @Test
        void localtimeZeroOnWindowsIsRearmedInUtc() {
            fx.host().policy(PolicyJson.continuing(VM, DATE).with("guestZone", "Asia/Karachi"))
                    .conf(VM, TempHost.CONF.replace("ostype: l26", "ostype: win10") + "localtime: 0\n");
            hook("pre-start");
            fx.clock.advance(Duration.ofMinutes(90).plusMillis(600));

            hook("post-stop");

            assertEquals(List.of("rearm", "105", "2021-03-01T13:30:00"), detacher.spawns().get(0).args());
        }

        @Test
        void noRearmWhenTheStartdateIsAlreadyThatTime() {
            fx.host().policy(PolicyJson.continuing(VM, DATE)).confWith(VM, "startdate: 2021-03-01T13:00:00");
            hook("pre-start");
            fx.clock.advance(Duration.ofHours(1));

            hook("post-stop");

            assertEquals(List.of(), detacher.spawns());
        }

        @Test
        void noRearmWhenThePendingStartdateIsAlreadyThatTime() {
            fx.host().policy(PolicyJson.continuing(VM, DATE))
                    .conf(VM, TempHost.CONF + "startdate: 2021-03-01T12:00:00\n\n[PENDING]\nstartdate: 2021-03-01T13:00:00\n");
            hook("pre-start");
            fx.clock.advance(Duration.ofHours(1));

            hook("post-stop");

            assertEquals(List.of(), detacher.spawns());
        }

        @Test
        void vmConfigGoneSkipsTheRearm() throws Exception {
            fx.host().policy(PolicyJson.continuing(VM, DATE));
            hook("pre-start");
            Files.delete(fx.host().paths().vmConf(VM));

            assertEquals(0, hook("post-stop"));

            assertEquals(List.of(), detacher.spawns());
            Map<?, ?> details = (Map<?, ?>) fx.host().auditEntries().get(1).get("details");
            assertTrue(String.valueOf(details.get("rearm")).startsWith("skipped: "), details.toString());
        }
    }

    /**
     * The target node of a live migration: Proxmox runs pre-start and post-start there while the config
     * still lives under nodes/<source>/ (docs/pve-facts.md §1.6).
     */
    @Nested
    class LiveMigrationTarget {
        private String sourceRunId;
        private long sourceOffset;

        /** Node pve1 started the VM (its pre-start mirrored the run on pmxcfs); we are pve2. */
        @BeforeEach
        void startedOnTheSourceNode() throws Exception {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("onError", "abort"));
            assertEquals(0, hook("pre-start"));
            sourceRunId = (String) run().get("id");
            sourceOffset = ((Number) run().get("offsetNs")).longValue();
            Path pve = fx.host().paths().pveDir();
            Path sourceDir = Files.createDirectories(pve.resolve("nodes/pve1/qemu-server"));
            Files.move(fx.host().paths().vmConf(VM), sourceDir.resolve(VM + ".conf"));
            Files.delete(pve.resolve("qemu-server"));
            Path localDir = Files.createDirectories(pve.resolve("nodes/pve2/qemu-server"));
            Files.createSymbolicLink(pve.resolve("qemu-server"), localDir);
            Files.delete(fx.host().paths().stateFile(VM)); // node-local state: this node never ran the VM
            fx.clock.advance(Duration.ofMinutes(30));
            env.put("PVE_MIGRATED_FROM", "pve1");
        }

        @Test
        void preStartWithTheConfigStillOnTheSourceExitsZeroAndCarriesTheRunOver() {
            assertFalse(Files.exists(fx.host().paths().vmConf(VM)));

            assertEquals(0, hook("pre-start"));

            assertEquals(List.of(), fx.errLines());
            assertEquals("migrated", run().get("reason"));
            assertEquals(sourceRunId, run().get("id"));
            assertEquals(sourceOffset, ((Number) run().get("offsetNs")).longValue());
            assertEquals("time-shift: VM " + VM + " migrated from pve1: the guest keeps its clock (not re-applied)",
                    fx.outLines().get(0));
        }

        @Test
        void postStartRecordsThePhaseAndStartsNoWorker() {
            hook("pre-start");

            assertEquals(0, hook("post-start"));

            assertEquals("post-start", fx.host().state(VM).get("lastPhase"));
            assertEquals(List.of(), detacher.spawns());
            assertEquals(List.of(), fx.errLines());
        }

        @Test
        void aLaterStopOnTheTargetIsMeasuredAgainstTheCarriedRun() {
            hook("pre-start");
            hook("post-start");
            env.put("PVE_MIGRATED_FROM", "");
            fx.clock.advance(Duration.ofHours(2)); // the guest powers itself off: no pre-stop

            assertEquals(0, hook("post-stop"));

            assertEquals(sourceRunId, lastStop().get("runId"));
            assertEquals(Instants.iso(fx.clock.instant().plusNanos(sourceOffset)), lastStop().get("guestTime"));
        }

        @Test
        void nothingMirroredFallsBackToThePolicyAndStillExitsZero() throws Exception {
            Files.delete(fx.host().paths().clockMirror(VM));

            assertEquals(0, hook("pre-start"));

            assertEquals("migrated", run().get("reason"));
            assertEquals(nanosBetween(fx.clock.instant(), D), ((Number) run().get("offsetNs")).longValue());
        }

        @Test
        void aGuestTimePast2069DoesNotRefuseAnIncomingMigration() {
            fx.host().policy(PolicyJson.offset(VM, "50y").with("onError", "abort"));
            env.put("PVE_MIGRATED_FROM", "");
            hook("pre-start"); // offset mode far ahead is refused on a fresh start...
            env.put("PVE_MIGRATED_FROM", "pve1");

            assertEquals(0, hook("pre-start")); // ...but a running guest migrating in is never refused
        }

        @Test
        void aHostileSourceNodeNameIsNeitherPrintedNorUsedAsAPath() {
            env.put("PVE_MIGRATED_FROM", "../../etc\n\u001b[31m");

            assertEquals(0, hook("pre-start"));

            assertEquals("time-shift: VM " + VM + " migrated from another node: the guest keeps its clock (not re-applied)",
                    fx.outLines().get(0));
        }
    }

    /** Proxmox resumes rather than boots: the guest keeps its clock, so no fresh offset is decided. */
    @Nested
    class ResumeIsNotAStart {
        private long offsetBefore;

        @BeforeEach
        void ranADayAgo() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            hook("pre-start");
            offsetBefore = ((Number) run().get("offsetNs")).longValue();
            fx.clock.advance(Duration.ofDays(1));
        }

        private void assertResumed(String kind) {
            assertEquals("resume", run().get("reason"));
            assertEquals(offsetBefore, ((Number) run().get("offsetNs")).longValue());
            Map<?, ?> details = (Map<?, ?>) fx.host().auditEntries().get(fx.host().auditEntries().size() - 1).get("details");
            assertEquals(kind, details.get("resume"));
        }

        @Test
        void hibernatedWithAVmstate() {
            fx.host().confWith(VM, "vmstate: local-lvm:vm-105-state-suspend-2026-01-10");

            assertEquals(0, hook("pre-start"));

            assertResumed("hibernated");
        }

        @Test
        void suspendedLockEvenWithoutAVmstate() {
            fx.host().confWith(VM, "lock: suspended");

            assertEquals(0, hook("pre-start"));

            assertResumed("suspended");
        }

        @Test
        void rollbackToASnapshotWithRamStartedByTheRollbackTask() throws Exception {
            fx.host().confWith(VM, "parent: before-upgrade", "", "[before-upgrade]", "agent: 1",
                    "snaptime: 1767000000", "vmstate: local-lvm:vm-105-state-before-upgrade");
            processTree("task UPID:pve1:0000A1B2:00C0FFEE:6960F3A0:qmrollback:" + VM + ":root@pam:");

            assertEquals(0, hook("pre-start"));

            assertResumed("rollback");
        }

        @Test
        void aLaterColdStartOfTheSameConfigGetsAFreshOffset() throws Exception {
            fx.host().confWith(VM, "parent: before-upgrade", "", "[before-upgrade]", "vmstate: local-lvm:vm-105-state-x");
            processTree("task UPID:pve1:0000A1B2:00C0FFEE:6960F3A0:qmstart:" + VM + ":root@pam:");

            assertEquals(0, hook("pre-start"));

            assertEquals("fixed", run().get("reason"));
        }

        @Test
        void rollbackToASnapshotWithoutRamIsAFreshStart() throws Exception {
            fx.host().confWith(VM, "parent: no-ram", "", "[no-ram]", "snaptime: 1767000000");
            processTree("task UPID:pve1:0000A1B2:00C0FFEE:6960F3A0:qmrollback:" + VM + ":root@pam:");

            assertEquals(0, hook("pre-start"));

            assertEquals("fixed", run().get("reason"));
        }

        @Test
        void anotherVmsRollbackTaskDoesNotCount() throws Exception {
            fx.host().confWith(VM, "parent: s1", "", "[s1]", "vmstate: local-lvm:vm-105-state-s1");
            processTree("task UPID:pve1:0000A1B2:00C0FFEE:6960F3A0:qmrollback:106:root@pam:");

            assertEquals(0, hook("pre-start"));

            assertEquals("fixed", run().get("reason"));
        }

        /** /proc/self → the launcher (pid 300) → the task worker (pid 200) with {@code taskCmdline} as $0. */
        private void processTree(String taskCmdline) throws Exception {
            Files.createDirectories(proc.resolve("self"));
            Files.writeString(proc.resolve("self/stat"), "400 (java) S 300 400 1 0 -1");
            Files.createDirectories(proc.resolve("300"));
            Files.writeString(proc.resolve("300/stat"), "300 (time-shift hook) S 200 300 1 0 -1");
            Files.writeString(proc.resolve("300/cmdline"), "/bin/sh\0/usr/bin/time-shift\0hook\0");
            Files.createDirectories(proc.resolve("200"));
            Files.writeString(proc.resolve("200/stat"), "200 (task UPID:pve1) S 1 200 1 0 -1");
            Files.writeString(proc.resolve("200/cmdline"), taskCmdline + "\0\0\0");
        }
    }

    /** The hookscript enable --chain kept: Proxmox would have run it, so we do, whatever our policy says. */
    @Nested
    class ChainedHookscript {
        private Path marker;

        private void chained(String body) throws Exception {
            Path snippets = Files.createDirectories(fx.dir().resolve("vz/snippets"));
            Files.writeString(fx.host().paths().pveDir().resolve("storage.cfg"),
                    "dir: local\n\tpath " + fx.dir().resolve("vz") + "\n\tcontent snippets\n");
            marker = fx.dir().resolve("chain-ran");
            Path script = snippets.resolve("admin-hook.sh");
            Files.writeString(script, "#!/bin/sh\necho \"$1 $2\" >> " + marker + "\n" + body + "\n");
            script.toFile().setExecutable(true);
        }

        @Test
        void anInvalidPolicyStillRunsTheChainedHookscript() throws Exception {
            chained("exit 0");
            fx.host().policy(PolicyJson.fixed(VM, null).with("chain", "local:snippets/admin-hook.sh"));

            assertEquals(0, hook("pre-start"));

            assertEquals(VM + " pre-start\n", Files.readString(marker));
        }

        @Test
        void itsFailingPreStartRefusesTheStartAsProxmoxWould() throws Exception {
            chained("exit 7");
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("chain", "local:snippets/admin-hook.sh"));

            assertEquals(7, hook("pre-start"));

            assertTrue(fx.errLines().get(0).contains("failed pre-start (exit 7)"), fx.errLines().toString());
        }

        @Test
        void aMissingChainedHookscriptOnlyWarnsUnderOnErrorWarn() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("chain", "local:snippets/gone.sh"));

            assertEquals(0, hook("pre-start"));

            assertEquals(1, fx.errLines().size(), fx.errLines().toString());
            assertTrue(fx.errLines().get(0).contains("chained hookscript local:snippets/gone.sh not found"), fx.errLines().get(0));
            assertTrue(fx.errLines().get(0).contains("going on without it"), fx.errLines().get(0));
            assertEquals("fixed", run().get("reason"));
        }

        @Test
        void aMissingChainedHookscriptRefusesWithExitThreeUnderOnErrorAbort() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("chain", "local:snippets/gone.sh").with("onError", "abort"));

            assertEquals(3, hook("pre-start"));

            assertTrue(fx.errLines().get(0).contains("start refused"), fx.errLines().get(0));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"post-start", "pre-stop", "post-stop"})
        void laterPhasesNeverFailOnAMissingOrFailingChain(String phase) throws Exception {
            chained("exit 9");
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("chain", "local:snippets/admin-hook.sh").with("onError", "abort"));

            assertEquals(0, hook(phase));
        }
    }

    @Nested
    class Audit {
        @Test
        void aWholeLifecycleAppendsVerifiableLines() {
            fx.host().policy(PolicyJson.continuing(VM, DATE)).agentSocket(VM);

            hook("pre-start");
            hook("post-start");
            fx.clock.advance(Duration.ofHours(1));
            fx.ga.guestTime(D.plus(Duration.ofHours(1)));
            hook("pre-stop");
            hook("post-stop");
            fx.clock.advance(Duration.ofDays(1));
            env.put("PVE_MIGRATED_FROM", "pve2");
            hook("pre-start");

            assertEquals(List.of("hook-pre-start", "hook-post-start", "hook-pre-stop", "hook-post-stop", "hook-pre-start"), auditActions());
            for (Map<String, Object> e : fx.host().auditEntries()) {
                assertEquals("hook", e.get("actor"));
                assertEquals(VM, ((Number) e.get("vmid")).intValue());
            }
            assertAuditVerifies();
        }

        @Test
        void failuresAreAuditedToo() {
            fx.host().policy(PolicyJson.fixed(VM, null));

            hook("pre-start");

            assertEquals(List.of("hook-pre-start"), auditActions());
            assertEquals("invalid-policy", ((Map<?, ?>) fx.host().auditEntries().get(0).get("details")).get("result"));
            assertAuditVerifies();
        }
    }
}

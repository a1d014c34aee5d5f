package io.timeshift.host.status;

import io.timeshift.common.json.LightJson;

import io.timeshift.host.cli.StatusRenderer;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.state.VmState;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.TempHost;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusServiceTest {
    private static final int VM = 105;
    private static final String DATE = "2021-03-01T12:00:00Z";
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");

    @TempDir
    Path dir;

    private TempHost host;
    private final MutableClock clock = new MutableClock(T0);
    private final FakeMonotonic mono = new FakeMonotonic();
    private final FakeQemuGa ga = new FakeQemuGa(clock, mono);

    @BeforeEach
    void node() {
        host = new TempHost(dir).confWith(VM).policy(PolicyJson.fixed(VM, DATE));
    }

    private StatusService service() {
        return new StatusService(host.paths(), clock, ga::client, "pve1");
    }

    /** The row as {@code status --json} shows it (the assertions below predate typed rows). */
    private Map<String, Object> status(int vmid) {
        return StatusRenderer.jsonObject(service().status(vmid));
    }

    @SuppressWarnings("unchecked")
    private static List<String> problems(Map<String, Object> status) {
        return (List<String>) status.get("problems");
    }

    private void lastApplyRunning(long pid) {
        new StateStore(host.paths()).update(VM, s -> s.startApply(T0, pid));
    }

    private void runWithOffset(long offsetNs) {
        new StateStore(host.paths()).update(VM, s -> s.run(new VmState.Run(T0.toString(), T0, offsetNs, "fixed", false,
                "fixed " + DATE)));
    }

    @Nested
    class LastApply {
        @Test
        void staleRunningWithADeadWorkerPidIsShownAsFailed() throws Exception {
            Process p = new ProcessBuilder("true").start();
            p.waitFor();
            lastApplyRunning(p.pid());

            Map<String, Object> s = status(VM);

            @SuppressWarnings("unchecked")
            Map<String, Object> last = (Map<String, Object>) s.get("lastApply");
            assertEquals("failed", last.get("result"));
            assertTrue(String.valueOf(last.get("message")).contains("(pid " + p.pid() + ") died before finishing"), last.toString());
            assertTrue(problems(s).stream().anyMatch(x -> x.startsWith("last apply failed: ")), problems(s).toString());
            assertEquals("running", host.stateObject(VM, "lastApply").get("result")); // shown, not rewritten
        }

        @Test
        void runningWithALiveWorkerPidStaysRunning() {
            lastApplyRunning(ProcessHandle.current().pid());

            @SuppressWarnings("unchecked")
            Map<String, Object> last = (Map<String, Object>) status(VM).get("lastApply");

            assertEquals("running", last.get("result"));
        }
    }

    @Nested
    class Stopped {
        @Test
        void aStoppedVmHasNoGuestTimeAndAsksNoAgent() {
            Map<String, Object> s = status(VM);

            assertEquals(VM, s.get("vmid"));
            assertEquals("jump-vm", s.get("name"));
            assertEquals("pve1", s.get("node"));
            assertEquals(false, s.get("running"));
            assertEquals("fixed", s.get("mode"));
            assertNull(s.get("expectedTime"));
            assertNull(s.get("guestTime"));
            assertNull(s.get("driftMs"));
            assertNull(s.get("inTolerance"));
            assertEquals("disable", s.get("timeSync"));
            assertEquals(List.of(), problems(s));
            assertEquals(List.of(), ga.requests());
        }

        @Test
        void aPidFileOfADeadProcessMeansStopped() throws Exception {
            Process p = new ProcessBuilder("true").start();
            p.waitFor();
            host.agentSocket(VM);
            Files.writeString(host.paths().runDir().resolve("105.pid"), p.pid() + "\n");

            assertEquals(false, status(VM).get("running"));
        }

        @Test
        void namesConfigProblemsWithTheirFix() {
            host.conf(VM, TempHost.CONF.replace("agent: 1", "agent: 0").replace("local:snippets/time-shift-hook", "local:snippets/other"));

            List<String> problems = problems(status(VM));

            assertTrue(problems.stream().anyMatch(p -> p.contains("hookscript is local:snippets/other")), problems.toString());
            assertTrue(problems.stream().anyMatch(p -> p.contains("qm set 105 --agent enabled=1")), problems.toString());
        }

        @Test
        void aPolicyWithoutVmIsAnOrphan() throws Exception {
            Files.delete(host.paths().vmConf(VM));

            List<String> problems = problems(status(VM));

            assertTrue(problems.get(0).contains("orphan policy; remove with: time-shift disable 105"), problems.toString());
        }

        @Test
        void anInvalidPolicyIsAProblemNotACrash() {
            host.policy(VM, "{\"version\":1,\"vm");

            Map<String, Object> s = status(VM);

            assertNull(s.get("mode"));
            assertTrue(problems(s).get(0).contains("not valid JSON"), problems(s).toString());
        }
    }

    @Nested
    class Running {
        private final long offset = Duration.between(T0, Instant.parse(DATE)).toNanos();

        @BeforeEach
        void running() throws Exception {
            host.agentSocket(VM);
            Files.writeString(host.paths().runDir().resolve("105.pid"), ProcessHandle.current().pid() + "\n");
            runWithOffset(offset);
            clock.advance(Duration.ofMinutes(10));
        }

        @Test
        void comparesTheGuestClockWithThePolicy() {
            ga.guestTime(clock.instant().plusNanos(offset).plusMillis(4));

            Map<String, Object> s = status(VM);

            assertEquals(true, s.get("running"));
            assertEquals("2021-03-01T12:10:00Z", s.get("expectedTime"));
            assertEquals("2021-03-01T12:10:00.004Z", s.get("guestTime"));
            assertEquals(4.0, s.get("driftMs"));
            assertEquals(true, s.get("inTolerance"));
            assertEquals(List.of(), problems(s));
        }

        @Test
        void driftBeyondToleranceIsAProblemWithTheFix() {
            ga.guestTime(clock.instant().plusNanos(offset).minusSeconds(3));

            Map<String, Object> s = status(VM);

            assertEquals(-3000.0, s.get("driftMs"));
            assertEquals(false, s.get("inTolerance"));
            assertTrue(problems(s).stream().anyMatch(p -> p.contains("fix: time-shift apply 105")), problems(s).toString());
        }

        @Test
        void aSilentAgentLeavesGuestTimeNullAndSaysWhy() {
            ga.neverAnswer();

            Map<String, Object> s = status(VM);

            assertNull(s.get("guestTime"));
            assertNull(s.get("driftMs"));
            assertTrue(problems(s).stream().anyMatch(p -> p.startsWith("guest time not readable: ")), problems(s).toString());
        }
    }

    @Nested
    class TypedRow {
        @Test
        void namesThePolicysModeTimeSyncAndIsolationAndTheStatesUnits() {
            new StateStore(host.paths()).update(VM, s -> s.timeSyncDisabled(List.of("systemd-timesyncd.service")));

            StatusRow r = service().status(VM);

            assertEquals(Mode.FIXED, r.mode());
            assertEquals(StatusRow.TimeSync.DISABLE, r.timeSync());
            assertEquals(new StatusRow.Isolation(false, "not isolated"), r.isolation());
            assertEquals(List.of("systemd-timesyncd.service"), r.timeSyncDisabled());
            assertEquals(Boolean.FALSE, r.running());
            assertTrue(r.readable());
        }

        @Test
        void withoutAPolicyHasNoModeTimeSyncOrIsolation() throws Exception {
            Files.delete(host.paths().policyFile(VM));

            StatusRow r = service().status(VM);

            assertNull(r.mode());
            assertNull(r.timeSync());
            assertNull(r.isolation());
            assertEquals(List.of(), r.timeSyncDisabled());
        }
    }

    @Test
    void listsPolicyVmsAndVmsUsingOurSnippet() {
        host.confWith(300).conf(200, TempHost.CONF.replace("local:snippets/time-shift-hook", "local:snippets/other"));

        assertEquals(List.of(105, 300), service().defaultVmids());
    }

    @Test
    void aNotesLineMentioningTheSnippetDoesNotListTheVm() {
        host.conf(200, "#moved off local:snippets/time-shift-hook last week\n"
                + TempHost.CONF.replace("hookscript: local:snippets/time-shift-hook\n", ""));

        assertEquals(List.of(105), service().defaultVmids());
    }

    @Test
    void anOddFileNameDoesNotHideTheOtherVms() throws Exception {
        host.confWith(300);
        Files.writeString(host.paths().qemuServerDir().resolve("backup.conf"), TempHost.CONF);

        assertEquals(List.of(105, 300), service().defaultVmids());
    }

    @Nested
    class HostileFiles {
        @Test
        void oneVmsBadLastApplyStartedAtIsThatVmsProblemAndTheOthersStillShow() {
            host.confWith(106).policy(PolicyJson.fixed(106, DATE));
            host.stateText(VM, "{\"vmid\":105,\"lastApply\":{\"startedAt\":\"garbage\",\"result\":\"running\"}}");
            new StateStore(host.paths()).update(106, s -> s.startApply(T0, null));

            Map<String, Object> bad = status(VM);
            Map<String, Object> good = status(106);

            assertTrue(problems(bad).stream().anyMatch(p -> p.contains("field 'lastApply.startedAt'")), problems(bad).toString());
            assertNull(bad.get("lastApply"));
            assertEquals("running", ((Map<?, ?>) good.get("lastApply")).get("result"));
            assertTrue(Files.exists(host.paths().stateFile(VM)), "a reader moves nothing");
        }

        @Test
        void aNulInTheVmNameGivesValidJsonOnOneLinePerValue() {
            host.conf(VM, TempHost.CONF.replace("name: jump-vm", "name: ju\u0000mp\u001b[2J"));

            Map<String, Object> st = status(VM);
            String json = io.timeshift.host.io.Json.compact(List.of(st));

            // not a dns-name: Proxmox's check_type drops the key (docs/pve-config-format.md), so do we
            assertTrue(json.contains("\"name\":null"), json);
            Object back = ((List<?>) io.timeshift.common.json.LightJson.parsePlain(json)).get(0);
            assertEquals(VM, ((Number) ((Map<?, ?>) back).get("vmid")).intValue());
        }
    }
}

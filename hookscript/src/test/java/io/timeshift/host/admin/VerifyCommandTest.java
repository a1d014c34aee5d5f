package io.timeshift.host.admin;

import io.timeshift.host.io.Json;
import io.timeshift.pve.qga.testing.FakeQemuGa.ExecReply;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code time-shift verify}: agent clock vs policy, guest time sync, the guest's own verify merged. */
class VerifyCommandTest {
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");
    private static final Instant STARTED = T0.minus(Duration.ofHours(1));
    private static final Instant DATE = Instant.parse("2021-03-01T12:00:00Z");
    /** Guest − host for the run that started at STARTED with the clock at DATE. */
    private static final long OFFSET_NS = Duration.between(STARTED, DATE).toNanos();

    /** What `systemctl show --property=Id,LoadState,ActiveState,UnitFileState <units>` prints on Debian 12. */
    static String systemctlShow(String activeUnit) {
        StringBuilder sb = new StringBuilder();
        for (String u : List.of("systemd-timesyncd.service", "chrony.service", "chronyd.service", "ntp.service", "ntpsec.service",
                "ntpd.service", "openntpd.service")) {
            boolean installed = u.equals("systemd-timesyncd.service") || u.equals(activeUnit);
            boolean active = u.equals(activeUnit);
            sb.append("Id=").append(u).append('\n')
                    .append("LoadState=").append(installed ? "loaded" : "not-found").append('\n')
                    .append("ActiveState=").append(active ? "active" : "inactive").append('\n')
                    .append("UnitFileState=").append(installed ? (active ? "enabled" : "disabled") : "").append("\n\n");
        }
        return sb.toString();
    }

    @TempDir
    Path dir;

    private FakePveNode node;
    private String activeUnit;
    private ExecReply guestTool;

    @BeforeEach
    void runningShiftedVm() {
        node = new FakePveNode(dir, new MutableClock(T0));
        node.running();
        node.host.policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z"));
        node.host.stateText(105, "{\"vmid\":105,\"run\":{\"id\":\"r1\",\"policy\":\"fixed 2021-03-01T12:00:00Z\",\"startedAt\":\""
                + STARTED + "\",\"offsetNs\":" + OFFSET_NS + ",\"reason\":\"fixed\",\"backup\":false}}\n");
        node.ga.guestTime(T0.plusNanos(OFFSET_NS).plusMillis(3));
        guestTool = new ExecReply(127, "", "");
        node.ga.onExec((path, args) -> path.equals("systemctl") ? ExecReply.ok(systemctlShow(activeUnit))
                : path.equals(GuestTool.PATH) ? guestTool : new ExecReply(127, "", ""));
    }

    @Nested
    class AllGood {
        @Test
        void guestInToleranceWithTimeSyncOffIsExit0() {
            assertEquals(0, node.run("verify", "105"), node.out() + node.err);
            String out = node.out();
            assertTrue(out.contains("ok    guest clock 2021-03-01T13:00:00.003Z, expected 2021-03-01T13:00:00Z: drift +3.0 ms"
                    + " (tolerance PT2S)"), out);
            assertTrue(out.contains("ok    time sync is off in the guest"), out);
            assertTrue(out.contains("note  time-shift-guest is not installed in the guest; for its checks install time-shift-guest"
                    + " in the VM (apt install ./time-shift-guest_*.deb)"), out);
            assertTrue(out.endsWith("VM 105: verified\n"), out);
        }

        @Test
        void eachRunAppendsAVerifyAuditLine() {
            assertEquals(0, node.run("verify", "105"));
            Map<String, Object> last = node.host.auditEntries().get(0);
            assertEquals("verify", last.get("action"));
            assertEquals(Boolean.TRUE, ((Map<?, ?>) last.get("details")).get("ok"));
        }

        @Test
        void anAuditLogThatCannotBeWrittenIsOneWarningLineAfterTheVerdict() throws Exception {
            java.nio.file.Path log = node.host.paths().auditLog();
            java.nio.file.Files.createDirectories(log);

            assertEquals(0, node.run("verify", "105"), node.out() + node.err);

            assertTrue(node.out().endsWith("VM 105: verified\nwarning: not recorded in the audit log: cannot append to audit log "
                    + log + ": it is a directory; move it away (the log is a file)\n"), node.out());
        }

        @Test
        void auditReturnsTheWarningInsteadOfPrintingIt() throws Exception {
            VerifyService verify = new VerifyService(node.host.paths(), node.env, node.clock, node.ga::client);
            VerifyReport report = verify.verify(105);
            assertEquals(List.of(), verify.audit(report));

            java.nio.file.Path log = node.host.paths().auditLog();
            java.nio.file.Files.delete(log);
            java.nio.file.Files.createDirectories(log);
            assertEquals(List.of("warning: not recorded in the audit log: cannot append to audit log " + log
                    + ": it is a directory; move it away (the log is a file)"), verify.audit(report));
        }

        @Test
        void timeSyncKeptByPolicyIsANoteNotAFinding() {
            node.host.policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z").with("timeSync", "keep"));
            activeUnit = "chrony.service";
            assertEquals(0, node.run("verify", "105"));
            assertTrue(node.out().contains("note  chrony.service is active and enabled (policy timeSync=keep)"), node.out());
        }
    }

    @Nested
    class Findings {
        @Test
        void aGuestClockOutOfToleranceIsExit1WithTheFix() {
            node.ga.guestTime(T0.plusNanos(OFFSET_NS).plusSeconds(5));
            assertEquals(1, node.run("verify", "105"));
            assertTrue(node.out().contains("FAIL  guest clock 2021-03-01T13:00:05Z, expected 2021-03-01T13:00:00Z: drift +5000.0 ms"
                    + " (tolerance PT2S) is out of tolerance (fix: time-shift apply 105)"), node.out());
            assertTrue(node.out().endsWith("VM 105: 1 problem\n"), node.out());
        }

        @Test
        void anActiveTimeSyncServiceIsAFinding() {
            activeUnit = "chrony.service";
            assertEquals(1, node.run("verify", "105"));
            assertTrue(node.out().contains("FAIL  chrony.service is active and enabled in the guest: it pulls the clock back to real"
                    + " time (fix: time-shift apply 105 (turns it off), or in the guest: systemctl disable --now chrony.service)"),
                    node.out());
        }

        @Test
        void anAliasThatPrintsItsTargetsIdIsOneFindingNotTwo() {
            // Debian's chrony.service has Alias=chronyd.service: `systemctl show chronyd.service` prints Id=chrony.service
            String chrony = "Id=chrony.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n\n";
            node.ga.onExec((path, args) -> path.equals("systemctl") ? ExecReply.ok(chrony + chrony) : new ExecReply(127, "", ""));
            assertEquals(1, node.run("verify", "105"));
            assertEquals(1, node.out().lines().filter(l -> l.startsWith("FAIL  chrony.service")).count(), node.out());
        }

        @Test
        void aGuestWithoutSystemdIsANoteNotTimeSyncOff() {
            node.ga.onExec((path, args) -> path.equals("systemctl")
                    ? new ExecReply(1, "", "System has not been booted with systemd as init system (PID 1). Can't operate.\n")
                    : new ExecReply(127, "", ""));
            assertEquals(0, node.run("verify", "105"));
            assertTrue(node.out().contains("note  time sync not checked: systemctl show listed no unit in the guest (exit 1:"
                    + " System has not been booted with systemd as init system (PID 1). Can't operate.); make sure no NTP"
                    + " client runs there"), node.out());
            assertFalse(node.out().contains("time sync is off"), node.out());
        }

        @Test
        void theGuestsOwnFindingsAreMergedOneLineEach() {
            guestTool = new ExecReply(1, "{\"ok\":false,\"now\":\"2021-03-01T13:00:00Z\",\"findings\":[{\"problem\":\"systemd would"
                    + " advance the clock to 2025-05-01 at next boot\",\"fix\":\"systemctl enable time-shift-guest-hold.service\"}],"
                    + "\"notes\":[]}", "");
            assertEquals(1, node.run("verify", "105"));
            assertTrue(node.ga.execs().contains(List.of(GuestTool.PATH, "verify", "--json")), String.valueOf(node.ga.execs()));
            assertTrue(node.out().contains("FAIL  guest: systemd would advance the clock to 2025-05-01 at next boot (fix: systemctl"
                    + " enable time-shift-guest-hold.service)"), node.out());
        }

        @Test
        void noApplyRecordedForThisStartIsAFinding() {
            node.host.stateText(105, "{\"vmid\":105}\n");
            assertEquals(1, node.run("verify", "105"));
            assertTrue(node.out().contains("FAIL  no apply is recorded for the current start of VM 105"), node.out());
        }

        @Test
        void aDamagedStateIsAFindingNamingTheFieldAndVerifyStillMeasures() throws Exception {
            node.host.stateText(105, "{\"vmid\":105,\"run\":{\"startedAt\":\"x\\u001b[2J\",\"offsetNs\":1}}\n");
            assertEquals(1, node.run("verify", "105"));
            assertTrue(node.out().contains("field 'run.startedAt': not an instant within"), node.out());
            assertTrue(java.nio.file.Files.exists(node.host.paths().stateFile(105)), "verify is a reader: it moves nothing");
            assertFalse(node.out().contains("\u001b"), "no terminal escape reaches the terminal");
        }

        @Test
        void jsonCarriesTheMeasurementAndTheFindings() {
            node.ga.guestTime(T0.plusNanos(OFFSET_NS).plusSeconds(5));
            assertEquals(1, node.run("verify", "105", "--json"));
            Map<String, Object> m = Json.parseObject(node.out(), "stdout");
            assertEquals(false, m.get("ok"));
            assertEquals(5000.0, ((Number) m.get("driftMs")).doubleValue());
            assertEquals(false, m.get("inTolerance"));
            assertEquals("2021-03-01T13:00:00Z", m.get("expectedTime"));
            assertEquals(1, ((List<?>) m.get("findings")).size());
            assertEquals(false, ((Map<?, ?>) m.get("guestVerify")).get("installed"));
        }
    }

    @Nested
    class Faults {
        @Test
        void aStoppedVmIsExit3() {
            node.ga.vmStopped();
            assertEquals(3, node.run("verify", "105"));
            assertEquals(1, node.errLines().size());
            assertTrue(node.errLines().get(0).contains("VM 105 is not running on this node"), node.errLines().get(0));
        }

        @Test
        void aVmWithoutPolicyIsExit2() {
            assertEquals(2, node.run("verify", "106"));
            assertTrue(node.errLines().get(0).contains("VM 106 has no time-shift policy"), node.errLines().get(0));
            assertFalse(node.host.exists(node.host.paths().auditLog()));
        }
    }
}

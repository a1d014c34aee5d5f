package io.timeshift.host.e2e;

import io.timeshift.host.demo.GuestImage;
import io.timeshift.host.demo.QemuVm;
import io.timeshift.host.demo.Qmp;
import io.timeshift.host.e2e.FakeProxmox.Proc;
import io.timeshift.common.time.Instants;
import io.timeshift.pve.qga.ExecResult;
import io.timeshift.pve.qga.QgaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The core loop on a real QEMU VM with Debian's real qemu-guest-agent: this test plays Proxmox. It
 * writes {@code qemu-server/<vmid>.conf} and a policy under a temp {@code TIME_SHIFT_PVE_DIR}, runs
 * {@code time-shift hook <vmid> pre-start} as a separate process, starts QEMU the way qemu-server
 * would from that conf ({@code startdate} becomes {@code -rtc base=}, the agent chardev lives under a
 * temp {@code TIME_SHIFT_RUN_DIR}), runs {@code hook <vmid> post-start}, and then reads the guest's own
 * clock through the real agent. The fake {@code pvesh} (Proxmox itself cannot run here) applies
 * {@code pvesh set .../config --startdate} to the conf, as the post-stop re-arm worker needs. The node is
 * {@link FakeProxmox}, shared with the Debian jump-VM tests of the jumpvm module.
 */
@Tag("vm")
class CoreLoopHookE2ETest {
    private static final Duration WORKER_DEADLINE = Duration.ofSeconds(120);
    private static final Instant DATE = Instant.parse("2021-03-01T12:00:00Z");

    static GuestImage guest;

    @TempDir
    Path tmp;
    FakeProxmox px;
    Path pve;
    Path run;
    Path state;
    Path log;
    List<QemuVm> vms;

    @BeforeAll
    static void guest() {
        guest = TestGuest.require();
    }

    @BeforeEach
    void proxmoxTree() throws IOException {
        px = new FakeProxmox(tmp, "{\"agentWait\":\"PT90S\",\"applyHold\":\"PT3S\",\"holdInterval\":\"PT0.5S\",\"agentTimeout\":\"PT3S\"}");
        pve = px.pve;
        run = px.run;
        state = px.state;
        log = px.log;
        vms = px.vms;
    }

    @AfterEach
    void stopVms() {
        px.close();
    }

    // ------------------------------------------------------------------ tests

    @Test
    void fixedDateSetsTheGuestClockThroughTheRealAgent() throws Exception {
        int vmid = 201;
        // no startdate in the conf: the guest boots in real time, only the agent path can shift it
        conf(vmid, "name: fixed\nagent: 1\nmemory: 256\n");
        policy(vmid, "{\"version\":1,\"vmid\":201,\"mode\":\"fixed\",\"date\":\"2021-03-01T12:00:00Z\",\"offset\":null}");
        Map<String, Object> applied = startLikeProxmox(vmid, "");
        assertEquals("ok", applied.get("result"), () -> "apply: " + applied);
        Map<String, Object> runRec = map(readState(vmid).get("run"));
        Instant startedAt = Instant.parse((String) runRec.get("startedAt"));
        long guest = agent(vmid).getTimeNanos();
        Instant expected = DATE.plus(Duration.between(startedAt, Instant.now()));
        assertNear(expected, Instants.fromEpochNanos(guest), Duration.ofMillis(500), "guest clock");
        double errorMs = ((Number) applied.get("errorMs")).doubleValue();
        assertTrue(Math.abs(errorMs) <= 10, "error right after apply must be <= 10 ms, was " + errorMs);
        figures("fixed", applied);
        // the guest gets its copy of the policy (read by time-shift-guest verify/hold)
        String guestPolicy = new String(agent(vmid).readFile("/var/lib/time-shift-guest/policy.json", 65536),
                StandardCharsets.UTF_8);
        assertTrue(guestPolicy.contains("\"mode\" : \"fixed\"") || guestPolicy.contains("\"mode\":\"fixed\""), guestPolicy);
        assertAuditVerifies();
    }

    @Test
    void offsetModeKeepsTheGuestAFixedDistanceFromRealTime() throws Exception {
        int vmid = 202;
        conf(vmid, "name: offset\nagent: enabled=1,fstrim_cloned_disks=1\n");
        policy(vmid, "{\"version\":1,\"vmid\":202,\"mode\":\"offset\",\"date\":null,\"offset\":\"-P1000D\"}");
        Map<String, Object> applied = startLikeProxmox(vmid, "");
        assertEquals("ok", applied.get("result"), () -> "apply: " + applied);
        Instant guest = Instants.fromEpochNanos(agent(vmid).getTimeNanos());
        assertNear(Instant.now().minus(Duration.ofDays(1000)), guest, Duration.ofMillis(500), "guest clock");
        figures("offset", applied);
    }

    @Test
    void continueModeResumesFromTheGuestTimeAtStopAcrossAQemuRestart() throws Exception {
        int vmid = 203;
        conf(vmid, "name: cont\nagent: 1\nstartdate: 2021-03-01T12:00:00\n");
        policy(vmid, "{\"version\":1,\"vmid\":203,\"mode\":\"continue\",\"date\":\"2021-03-01T12:00:00Z\",\"offset\":null}");
        Map<String, Object> first = startLikeProxmox(vmid, "");
        assertEquals("ok", first.get("result"), () -> "apply: " + first);
        Thread.sleep(1500);
        // an API shutdown: pre-stop (guest still up), QEMU exits, post-stop
        hookOk(vmid, "pre-stop");
        Map<String, Object> stop = map(readState(vmid).get("lastStop"));
        assertEquals("agent", stop.get("source"));
        Instant guestAtStop = Instant.parse((String) stop.get("guestTime"));
        assertNear(DATE.plusSeconds(5), guestAtStop, Duration.ofSeconds(60), "guest time at stop");
        vms.remove(vms.size() - 1).close();
        hookOk(vmid, "post-stop");
        assertEquals("post-stop", readState(vmid).get("lastPhase"));
        // the detached re-arm worker sets the next cold start's startdate through pvesh (what qm set runs)
        String expectedStartdate = Instants.pveStartdate(guestAtStop);
        waitFor(() -> confText(vmid).contains("startdate: " + expectedStartdate), "startdate re-armed to " + expectedStartdate
                + "; conf: " + confText(vmid));
        // post-stop again (legacy qm cleanup after an API stop): handled once
        hookOk(vmid, "post-stop");
        Thread.sleep(3000); // real time passes while the VM is off: the guest must not see it
        Map<String, Object> second = startLikeProxmox(vmid, "");
        assertEquals("ok", second.get("result"), () -> "apply: " + second);
        Map<String, Object> runRec = map(readState(vmid).get("run"));
        assertEquals("continue", runRec.get("reason"));
        Instant started = Instant.parse((String) runRec.get("startedAt"));
        Instant guest = Instants.fromEpochNanos(agent(vmid).getTimeNanos());
        assertNear(guestAtStop.plus(Duration.between(started, Instant.now())), guest, Duration.ofMillis(500),
                "guest clock resumed from its time at stop");
        assertAuditVerifies();
    }

    @Test
    void aClockPushedForwardAfterBootIsPutBack() throws Exception {
        int vmid = 204;
        Files.writeString(tmp.resolve("time-shift.json"),
                "{\"agentWait\":\"PT90S\",\"applyHold\":\"PT12S\",\"holdInterval\":\"PT0.5S\",\"agentTimeout\":\"PT3S\"}");
        conf(vmid, "name: jump\nagent: 1\nstartdate: 2021-03-01T12:00:00\n");
        policy(vmid, "{\"version\":1,\"vmid\":204,\"mode\":\"fixed\",\"date\":\"2021-03-01T12:00:00Z\",\"offset\":null}");
        hookOk(vmid, "pre-start");
        vms.add(QemuVm.start(confFile(vmid), vmid, run, guest, QemuVm.Options.defaults()));
        hookOk(vmid, "post-start");
        waitFor(() -> "ok".equals(lastApply(vmid).get("result")), "first apply ok");
        // what systemd's build-time epoch bump or an NTP step does: the clock jumps to today
        long now = Instant.now().getEpochSecond();
        ExecResult r = agent(vmid).run(Duration.ofSeconds(10), "date", "-u", "-s", "@" + now);
        assertEquals(0, r.exitCode(), () -> "date -s: " + r);
        waitFor(() -> lastApply(vmid).get("reapplied") != null, "worker re-applies after the jump: " + lastApply(vmid));
        Map<String, Object> runRec = map(readState(vmid).get("run"));
        Instant started = Instant.parse((String) runRec.get("startedAt"));
        Instant guest = Instants.fromEpochNanos(agent(vmid).getTimeNanos());
        assertNear(DATE.plus(Duration.between(started, Instant.now())), guest, Duration.ofMillis(500), "guest clock put back");
        assertTrue(String.valueOf(lastApply(vmid).get("message")).contains("jumped"), () -> "" + lastApply(vmid));
    }

    @Test
    void guestTimeSyncIsTurnedOffAndRecorded() throws Exception {
        int vmid = 205;
        conf(vmid, "name: ntp\nagent: 1\n");
        policy(vmid, "{\"version\":1,\"vmid\":205,\"mode\":\"offset\",\"date\":null,\"offset\":\"-3y\"}");
        Map<String, Object> applied = startLikeProxmox(vmid, "ts_units=systemd-timesyncd,chrony");
        assertEquals("ok", applied.get("result"), () -> "apply: " + applied);
        assertEquals(List.of("systemd-timesyncd.service", "chrony.service"), readState(vmid).get("timeSyncDisabled"));
        ExecResult active = agent(vmid).run(Duration.ofSeconds(10), "systemctl", "is-active", "systemd-timesyncd", "chrony");
        assertEquals("inactive\ninactive", active.out().trim());
        assertTrue(String.valueOf(applied.get("timeSync")).contains("disabled systemd-timesyncd.service, chrony.service"));
    }

    @Test
    void agentAbsentLeavesTheVmRunningAndSaysWhy() throws Exception {
        int vmid = 206;
        Files.writeString(tmp.resolve("time-shift.json"),
                "{\"agentWait\":\"PT8S\",\"applyHold\":\"PT0S\",\"agentTimeout\":\"PT2S\"}");
        conf(vmid, "name: noagent\nagent: 1\n");
        policy(vmid, "{\"version\":1,\"vmid\":206,\"mode\":\"fixed\",\"date\":\"2021-03-01T12:00:00Z\",\"offset\":null}");
        Map<String, Object> applied = startLikeProxmox(vmid, "qga_off");
        assertEquals("failed", applied.get("result"));
        assertTrue(String.valueOf(applied.get("message")).contains("qemu-guest-agent"), () -> "" + applied);
        assertTrue(vms.get(vms.size() - 1).isAlive(), "the VM keeps running");
        // status shows the problem in one line
        Proc status = cli("status", String.valueOf(vmid), "--json");
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains("last apply failed"), status.out());
    }

    @Test
    void aVmThatStopsDuringApplyIsRecordedAsFailedWithTheReason() throws Exception {
        int vmid = 207;
        conf(vmid, "name: stops\nagent: 1\n");
        policy(vmid, "{\"version\":1,\"vmid\":207,\"mode\":\"fixed\",\"date\":\"2021-03-01T12:00:00Z\",\"offset\":null}");
        hookOk(vmid, "pre-start");
        QemuVm vm = QemuVm.start(confFile(vmid), vmid, run, guest, QemuVm.Options.defaults());
        vms.add(vm);
        hookOk(vmid, "post-start");
        vm.close(); // QEMU goes away while the worker waits for the agent (its socket disappears)
        waitFor(() -> "failed".equals(lastApply(vmid).get("result")), "worker gives up: " + lastApply(vmid));
        String msg = String.valueOf(lastApply(vmid).get("message"));
        assertTrue(msg.contains("VM 207"), msg);
        assertTrue(msg.contains("not running") || msg.contains("stopped"), msg);
    }

    @Test
    void aGuestRebootFiresNoHookAndComesBackInShiftedTimeFromTheRtc() throws Exception {
        int vmid = 208;
        Files.writeString(tmp.resolve("time-shift.json"),
                "{\"agentWait\":\"PT90S\",\"applyHold\":\"PT0S\",\"agentTimeout\":\"PT3S\"}");
        conf(vmid, "name: reboot\nagent: 1\n"); // no startdate: only the agent's set (and hwclock -w) shifts it
        policy(vmid, "{\"version\":1,\"vmid\":208,\"mode\":\"fixed\",\"date\":\"2021-03-01T12:00:00Z\",\"offset\":null}");
        hookOk(vmid, "pre-start");
        QemuVm vm = QemuVm.start(confFile(vmid), vmid, run, guest, QemuVm.Options.defaults().withGuestReboot(true));
        vms.add(vm);
        hookOk(vmid, "post-start");
        waitFor(() -> "ok".equals(lastApply(vmid).get("result")) && lastApply(vmid).get("holdEndedAt") != null,
                "apply ok: " + lastApply(vmid));
        // a reset inside the same QEMU process (what a guest-initiated reboot is): no Proxmox hook runs
        try (Qmp qmp = Qmp.connect(vm.qmpSocket())) {
            qmp.execute("system_reset", null);
        }
        vm.waitForConsole("TSGUEST: agent started", 2, Duration.ofSeconds(60));
        Map<String, Object> runRec = map(readState(vmid).get("run"));
        Instant started = Instant.parse((String) runRec.get("startedAt"));
        long guestNs = waitForAgentTime(vmid);
        // the kernel read the RTC that guest-set-time wrote (hwclock -w): whole seconds, so +-2 s
        assertNear(DATE.plus(Duration.between(started, Instant.now())), Instants.fromEpochNanos(guestNs),
                Duration.ofSeconds(2), "guest clock after an in-guest reboot");
    }

    /**
     * A guest that reads its RTC as LOCAL time (Windows, or {@code localtime: 1}; docs/pve-rtc.md), here in
     * UTC+05:00: our startdate is written in its zone, so its clock is at the policy already when its agent
     * first answers, before any apply; the apply then learns its zone, and the post-stop re-arm writes the
     * next startdate in that zone too.
     */
    @Test
    void aGuestReadingItsRtcAsLocalTimeBootsAtThePolicyBeforeTheAgentApplies() throws Exception {
        int vmid = 209;
        Files.writeString(tmp.resolve("time-shift.json"),
                "{\"agentWait\":\"PT90S\",\"applyHold\":\"PT0S\",\"agentTimeout\":\"PT3S\"}");
        conf(vmid, "name: localrtc\nagent: 1\nostype: l26\nlocaltime: 1\n");
        // tolerance 3 s: a clock read from the RTC is whole seconds, and QEMU starts its RTC a moment after launch
        policy(vmid, "{\"version\":1,\"vmid\":209,\"mode\":\"continue\",\"date\":\"2021-03-01T12:00:00Z\",\"offset\":null,"
                + "\"tolerance\":\"PT3S\",\"guestZone\":\"Asia/Karachi\"}");
        // what enable/the re-arm write for this guest: the policy date as wall time in Asia/Karachi
        Proc rearm = cli("rearm", String.valueOf(vmid));
        assertEquals(0, rearm.code(), rearm.err() + rearm.out());
        assertTrue(confText(vmid).contains("startdate: 2021-03-01T17:00:00"), confText(vmid));

        hookOk(vmid, "pre-start");
        Instant launched = Instant.now();
        QemuVm vm = QemuVm.start(confFile(vmid), vmid, run, guest, QemuVm.Options.defaults().withKernelCmdline("ts_rtc_local=PKT-5"));
        vms.add(vm);
        long beforeApply = waitForAgentTime(vmid);
        Instant readAt = Instant.now();
        // the guest's own clock, read through its agent before post-start (no apply has run): within the
        // policy's tolerance; never ahead (the RTC starts after launch and is read in whole seconds)
        Duration off = Duration.between(DATE.plus(Duration.between(launched, readAt)), Instants.fromEpochNanos(beforeApply));
        assertTrue(off.compareTo(Duration.ofSeconds(-3)) >= 0 && off.compareTo(Duration.ofMillis(500)) <= 0,
                "guest clock before the agent applied is off by " + off + " (policy tolerance 3 s; " + vm.diagnostics() + ")");
        assertTrue(lastApply(vmid).isEmpty(), () -> "no apply yet: " + lastApply(vmid));
        // the guest really read its RTC as local time: the kernel (RTC as UTC) was 5 h ahead of it
        String console = vm.consoleText();
        String marker = "TSGUEST: RTC read as local time (TZ=PKT-5): kernel had ";
        int at = console.indexOf(marker);
        assertTrue(at >= 0, console);
        Instant kernel = Instant.parse(console.substring(at + marker.length(), at + marker.length() + 20));
        assertEquals("2021-03-01T17:00", kernel.toString().substring(0, 16), console);
        System.out.println("E2E-FIGURES localrtc guestBeforeApplyOffByMs=" + off.toMillis());

        Proc post = px.hook(vmid, "post-start");
        assertEquals(0, post.code(), post.err());
        waitFor(() -> "ok".equals(lastApply(vmid).get("result")) && lastApply(vmid).get("holdEndedAt") != null,
                "apply ok: " + lastApply(vmid));
        Map<String, Object> zone = map(readState(vmid).get("guestZone"));
        assertEquals(18000, ((Number) zone.get("offsetSeconds")).intValue(), () -> "learned: " + zone);
        assertEquals("PKT", zone.get("zone"));

        hookOk(vmid, "pre-stop");
        Instant guestAtStop = Instant.parse((String) map(readState(vmid).get("lastStop")).get("guestTime"));
        vms.remove(vms.size() - 1).close();
        hookOk(vmid, "post-stop");
        String expected = Instants.pveStartdate(guestAtStop.plus(Duration.ofHours(5)));
        waitFor(() -> confText(vmid).contains("startdate: " + expected), "startdate re-armed in the guest's zone to " + expected
                + "; conf: " + confText(vmid));
    }

    private long waitForAgentTime(int vmid) throws InterruptedException {
        long end = System.nanoTime() + WORKER_DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            try {
                return agent(vmid).withTimeout(Duration.ofSeconds(2)).getTimeNanos();
            } catch (RuntimeException e) {
                Thread.sleep(200);
            }
        }
        return fail("the agent did not come back after the reboot");
    }

    // ------------------------------------------------------------------ harness (FakeProxmox)

    /** pre-start hook, QEMU launch from the conf, post-start hook, then wait for the apply worker. */
    private Map<String, Object> startLikeProxmox(int vmid, String kernelArgs) throws Exception {
        return px.startLikeProxmox(vmid, guest, QemuVm.Options.defaults().withKernelCmdline(kernelArgs));
    }

    private void hookOk(int vmid, String phase) throws Exception {
        px.hookOk(vmid, phase);
    }

    private Proc cli(String... args) throws Exception {
        return px.cli(args);
    }

    private QgaClient agent(int vmid) {
        return px.agent(vmid);
    }

    private Path confFile(int vmid) {
        return px.confFile(vmid);
    }

    private void conf(int vmid, String text) throws IOException {
        px.conf(vmid, text);
    }

    private String confText(int vmid) {
        return px.confText(vmid);
    }

    private void policy(int vmid, String json) throws IOException {
        px.policy(vmid, json);
    }

    private Map<String, Object> readState(int vmid) {
        return px.readState(vmid);
    }

    private Map<String, Object> lastApply(int vmid) {
        return px.lastApply(vmid);
    }

    private static Map<String, Object> map(Object o) {
        return FakeProxmox.map(o);
    }

    private void assertAuditVerifies() throws Exception {
        px.assertAuditVerifies();
    }

    private static void assertNear(Instant expected, Instant actual, Duration tolerance, String what) {
        FakeProxmox.assertNear(expected, actual, tolerance, what);
    }

    private static void waitFor(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        FakeProxmox.waitFor(cond, what);
    }

    /** Apply figures for the README: agent wait, apply time (first answer to verified), error. */
    private static void figures(String test, Map<String, Object> applied) {
        String line = test + " agentWaitMs=" + applied.get("agentWaitMs") + " applyMs=" + applied.get("applyMs")
                + " errorMs=" + applied.get("errorMs") + System.lineSeparator();
        System.out.print("E2E-FIGURES " + line);
        try {
            Path f = Path.of("target", "e2e-figures.txt");
            Files.createDirectories(f.getParent());
            Files.writeString(f, line, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // figures are informative only
        }
        assertNotNull(applied.get("applyMs"));
        assertFalse(applied.isEmpty());
    }
}

package io.timeshift.host.e2e;

import io.timeshift.host.demo.GuestImage;
import io.timeshift.host.demo.QemuVm;
import io.timeshift.pve.qga.testing.QgaContract;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.pve.qga.QgaConnector;
import io.timeshift.pve.qga.UnixSocketQgaConnector;
import io.timeshift.common.time.Monotonic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The QGA contract against the real qemu-guest-agent (Debian 12's 7.2) in the real test VM, booted once
 * for the class the way qemu-server would. Skipped on a machine without QEMU, mandatory (fails) under
 * {@code CI=true}, like every real-VM test ({@link TestGuest}).
 *
 * <p>Agent set-ups are made from outside, through the agent itself: {@code /etc/qemu/qemu-ga.conf}
 * ({@code [general] block-rpcs=...}) or {@code /sbin/hwclock} moved aside, then qemu-ga killed; the
 * guest's init respawns it ({@code tools/guest/ts-qga}) and the new one reads the new set-up.
 */
@Tag("vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealQemuGaContractTest extends QgaContract {
    private static final int VMID = 131;
    private static final Duration BOOT = Duration.ofSeconds(120);
    private static final String CONF = "/etc/qemu/qemu-ga.conf";

    private Path runDir;
    private QemuVm vm;
    private final AtomicLong ids = new AtomicLong(50_000);
    private boolean changed;
    private boolean rtcMoved;

    @BeforeAll
    void boot() throws Exception {
        GuestImage guest = TestGuest.require();
        runDir = Files.createTempDirectory("qga-contract");
        Path conf = Files.writeString(runDir.resolve(VMID + ".conf"), "agent: 1\nostype: l26\n");
        vm = QemuVm.start(conf, VMID, runDir.resolve("run"), guest, QemuVm.Options.defaults());
        assertTrue(TestQga.waitForAgent(vm.qgaSocket(), BOOT), "agent up" + vm.diagnostics());
    }

    @AfterAll
    void shutDown() throws Exception {
        if (vm != null) {
            vm.close();
        }
        if (runDir != null) {
            try (var walk = Files.walk(runDir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Override
    protected QgaConnector connector() {
        return new UnixSocketQgaConnector(vm.qgaSocket());
    }

    @Override
    protected QgaClient client() {
        return new QgaClient(VMID, connector(), Monotonic.SYSTEM, ids::incrementAndGet, EXCHANGE_TIMEOUT);
    }

    @Override
    protected long elapsedNanos() {
        return System.nanoTime();
    }

    @Override
    protected void removeHwclock() throws Exception {
        guest("mv", "/sbin/hwclock", "/sbin/hwclock.off");
        changed = true;
        restartAgent(); // qemu-ga 7.2 looks for hwclock once and keeps the answer
    }

    /** Busybox's hwclock finds no RTC device (it tries /dev/rtc, /dev/rtc0, /dev/misc/rtc) and exits 1. */
    @Override
    protected void breakRtc() throws Exception {
        guest("mv", "/dev/rtc0", "/dev/rtc0.off");
        rtcMoved = true;
    }

    @Override
    protected void blockRpcs(String... commands) throws Exception {
        guest("mkdir", "-p", "/etc/qemu");
        client().writeFile(CONF, ("[general]\nblock-rpcs=" + String.join(",", commands) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        changed = true;
        restartAgent();
    }

    @Override
    protected void restoreAgent() throws Exception {
        exchange(ids.incrementAndGet(), "{\"execute\":\"guest-fsfreeze-thaw\"}");
        if (rtcMoved) {
            guest("mv", "/dev/rtc0.off", "/dev/rtc0");
            rtcMoved = false;
        }
        if (!changed) {
            return;
        }
        guest("rm", "-f", CONF);
        TestQga.ExecResult r = TestQga.exec(vm.qgaSocket(), Duration.ofSeconds(20), "/bin/ls", "/sbin/hwclock.off");
        if (r.exitCode == 0) {
            guest("mv", "/sbin/hwclock.off", "/sbin/hwclock");
        }
        changed = false;
        restartAgent();
    }

    private void guest(String path, String... args) throws Exception {
        TestQga.ExecResult r = TestQga.exec(vm.qgaSocket(), Duration.ofSeconds(20), "/bin/" + path, args);
        assertEquals(0, r.exitCode, path + " " + String.join(" ", args) + ": " + r);
    }

    /** Kills qemu-ga (its pid is in /run/qga/qemu-ga.pid); init starts a new one, which we wait for. */
    private void restartAgent() throws Exception {
        String pid = TestQga.exec(vm.qgaSocket(), Duration.ofSeconds(20), "/bin/cat", "/run/qga/qemu-ga.pid").out.trim();
        String marker = "TSGUEST: agent started";
        int before = count(vm.consoleText(), marker);
        TestQga.command(vm.qgaSocket(), "guest-exec",
                java.util.Map.of("path", "/bin/kill", "arg", java.util.List.of(pid)), Duration.ofSeconds(20));
        vm.waitForConsole(marker, before + 1, BOOT);
        assertTrue(TestQga.waitForAgent(vm.qgaSocket(), BOOT), "agent back" + vm.diagnostics());
    }

    private static int count(String text, String marker) {
        int n = 0;
        for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) {
            n++;
        }
        return n;
    }
}

package io.timeshift.host.e2e;

import io.timeshift.host.demo.GuestImage;
import io.timeshift.host.demo.QemuVm;
import io.timeshift.host.demo.Qmp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the real test guest under QEMU (TCG) the way qemu-server would from a VM config, and talks
 * to the real qemu-guest-agent over the real socket.
 */
@Tag("vm")
class QemuVmSmokeTest {
    private static final Instant STARTDATE = Instant.parse("2021-03-01T12:00:00Z");
    private static final Duration BOOT = Duration.ofSeconds(90); // generous: 2 shared cores, TCG

    @TempDir
    Path tmp;

    @Test
    void bootsWithStartdateAgentAnswersTimeAndFakeSystemctlAndPowersDown() throws Exception {
        GuestImage guest = TestGuest.require();
        Path conf = Files.writeString(tmp.resolve("101.conf"), String.join("\n",
                "# smoke test VM",
                "agent: 1",
                "memory: 4096",
                "name: smoke",
                "ostype: l26",
                "startdate: 2021-03-01T12:00:00",
                "",
                "[PENDING]",
                "startdate: 2030-01-01",
                ""));
        try (QemuVm vm = QemuVm.start(conf, 101, tmp.resolve("run"), guest,
                QemuVm.Options.defaults().withKernelCmdline("ts_units=systemd-timesyncd,chrony"))) {
            String cmd = String.join(" ", vm.commandLine());
            System.out.println("[smoke] " + guest + "\n[smoke] " + cmd);
            assertTrue(cmd.contains(" -rtc base=2021-03-01T12:00:00 "), cmd);
            assertFalse(cmd.contains("clock="), "PVE never emits clock=: " + cmd);
            assertTrue(cmd.contains(" -m 256 "), cmd);

            // raw exchange, the Proxmox way, on a connection opened right after the launch (the
            // bytes wait in QEMU until the agent opens the port, docs/real-vm.md pitfall 10)
            String[] lines = rawSyncAndGetTime(vm.qgaSocket(), 4711, BOOT);
            Instant answeredAt = Instant.now();
            Duration bootToAnswer = vm.sinceLaunch();
            System.out.printf("[smoke] boot to first agent answer: %d ms%n", bootToAnswer.toMillis());
            assertEquals(4711L, ((Number) JSON.std.mapFrom(lines[0]).get("return")).longValue(), lines[0]);
            long guestNanos = ((Number) JSON.std.mapFrom(lines[1]).get("return")).longValue();
            Instant guestTime = Instant.ofEpochSecond(0, guestNanos);
            Instant expected = STARTDATE.plus(Duration.between(vm.launchedAt(), answeredAt));
            long diffMs = Duration.between(expected, guestTime).toMillis();
            System.out.printf("[smoke] guest time %s, expected %s (startdate + elapsed), diff %d ms%n",
                    guestTime, expected, diffMs);
            assertTrue(Math.abs(diffMs) <= 3000, "guest time " + guestTime + " vs expected " + expected
                    + vm.diagnostics());
            vm.waitForConsole("TSGUEST: agent started", Duration.ofSeconds(10));

            // the fake systemctl through real guest-exec (base64 out-data)
            Path qga = vm.qgaSocket();
            Duration t = Duration.ofSeconds(20);
            TestQga.ExecResult r = TestQga.exec(qga, t, "/bin/systemctl", "is-active",
                    "systemd-timesyncd.service", "chrony", "ntp.service");
            assertEquals("active\nactive\ninactive\n", r.out, r.toString());
            assertEquals(0, r.exitCode, r.toString());
            r = TestQga.exec(qga, t, "/usr/bin/systemctl", "is-enabled", "ntpsec.service");
            assertEquals("not-found\n", r.out, r.toString());
            assertEquals(1, r.exitCode, r.toString());
            r = TestQga.exec(qga, t, "/bin/systemctl", "disable", "--now", "systemd-timesyncd.service");
            assertEquals(0, r.exitCode, r.toString());
            r = TestQga.exec(qga, t, "/bin/systemctl", "is-active", "systemd-timesyncd.service");
            assertEquals("inactive\n", r.out, r.toString());
            assertEquals(3, r.exitCode, r.toString());
            r = TestQga.exec(qga, t, "/bin/cat", "/run/units/systemd-timesyncd.service", "/run/systemctl.log");
            assertEquals("inactive disabled\n" + "is-active systemd-timesyncd.service chrony ntp.service\n"
                    + "is-enabled ntpsec.service\n" + "disable --now systemd-timesyncd.service\n"
                    + "is-active systemd-timesyncd.service\n", r.out, r.toString());

            // QMP: stop / cont / query-status, one connection at a time
            assertEquals("running", vm.qmpStatus());
            Qmp.stop(vm.qmpSocket());
            assertEquals("paused", vm.qmpStatus());
            Qmp.cont(vm.qmpSocket());
            assertEquals("running", vm.qmpStatus());

            // ACPI power button: the guest powers off, QEMU exits 0
            long t0 = System.nanoTime();
            Qmp.systemPowerdown(vm.qmpSocket());
            assertEquals(0, vm.waitForExit(Duration.ofSeconds(30)), "QEMU still running after system_powerdown"
                    + vm.diagnostics());
            System.out.printf("[smoke] system_powerdown to QEMU exit: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            assertTrue(vm.consoleText().contains("TSGUEST: power button -> poweroff"), vm.diagnostics());
        }
    }

    @Test
    void pausedStartThenQgaOffGivesNoAgentAnswer() throws Exception {
        GuestImage guest = TestGuest.require();
        Path conf = Files.writeString(tmp.resolve("102.conf"), "agent: enabled=1,fstrim_cloned_disks=1\n");
        try (QemuVm vm = QemuVm.start(conf, 102, tmp.resolve("run"), guest,
                QemuVm.Options.defaults().withKernelCmdline("qga_off").withStartPaused(true))) {
            assertFalse(String.join(" ", vm.commandLine()).contains("-rtc"), "no startdate, no -rtc");
            assertEquals("prelaunch", vm.qmpStatus());
            Qmp.cont(vm.qmpSocket());
            vm.waitForConsole("TSGUEST: agent not started (qga_off)", BOOT);
            long t0 = System.nanoTime();
            assertThrows(SocketTimeoutException.class,
                    () -> rawSyncAndGetTime(vm.qgaSocket(), 4712, Duration.ofSeconds(3)));
            long waited = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("[smoke] qga_off: no answer, gave up after %d ms%n", waited);
            assertTrue(waited >= 2900, "waited " + waited + " ms");
            assertTrue(vm.isAlive());
        }
    }

    @Test
    void guestRebootStaysInProcessAndKeepsTheGuestWrittenRtc() throws Exception {
        GuestImage guest = TestGuest.require();
        Path conf = Files.writeString(tmp.resolve("103.conf"), "agent: 1\nstartdate: 2021-03-01\n");
        try (QemuVm vm = QemuVm.start(conf, 103, tmp.resolve("run"), guest,
                QemuVm.Options.defaults().withGuestReboot(true))) {
            assertFalse(vm.commandLine().contains("-no-reboot"));
            Path qga = vm.qgaSocket();
            assertTrue(TestQga.waitForAgent(qga, BOOT), "agent up" + vm.diagnostics());
            Instant target = Instant.parse("2022-06-15T08:30:00Z");
            TestQga.command(qga, "guest-set-time", Map.of("time", target.getEpochSecond() * 1_000_000_000L),
                    Duration.ofSeconds(10));
            long setAt = System.nanoTime();
            TestQga.commandNoReply(qga, "guest-shutdown", Map.of("mode", "reboot"), Duration.ofSeconds(10));
            vm.waitForConsole("TSGUEST: agent started", 2, BOOT);
            assertTrue(TestQga.waitForAgent(qga, BOOT), "agent up again" + vm.diagnostics());
            Instant guestNow = Instant.ofEpochSecond(0, TestQga.getTimeNanos(qga));
            Instant expected = target.plusNanos(System.nanoTime() - setAt);
            long diffMs = Duration.between(expected, guestNow).toMillis();
            System.out.printf("[smoke] after in-process reboot: guest %s, expected %s, diff %d ms%n", guestNow,
                    expected, diffMs);
            assertTrue(Math.abs(diffMs) <= 3000, guestNow + " vs " + expected + vm.diagnostics());
            assertTrue(vm.isAlive());
        }
    }

    /**
     * The minimal Proxmox-style exchange, written out: connect, send sync-delimited + guest-get-time
     * in one write, skip to the 0xFF sentinel, return the two reply lines.
     */
    static String[] rawSyncAndGetTime(Path socket, long id, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector sel = Selector.open()) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(("{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":" + id + "}}\n"
                    + "{\"execute\":\"guest-get-time\"}\n").getBytes(StandardCharsets.UTF_8)));
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (true) {
                byte[] b = got.toByteArray();
                int ff = -1;
                for (int i = b.length - 1; i >= 0; i--) {
                    if (b[i] == (byte) 0xFF) {
                        ff = i;
                        break;
                    }
                }
                if (ff >= 0) {
                    String after = new String(b, ff + 1, b.length - ff - 1, StandardCharsets.UTF_8);
                    String[] parts = after.split("\r?\n", -1);
                    if (parts.length >= 3) { // two complete lines
                        return new String[] {parts[0], parts[1]};
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("no agent answer within " + timeout + " (got "
                            + got.size() + " bytes)");
                }
                sel.select(Math.max(1, left / 1_000_000));
                sel.selectedKeys().clear();
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    throw new IOException("agent socket closed");
                }
                got.write(buf.array(), 0, n);
            }
        }
    }
}

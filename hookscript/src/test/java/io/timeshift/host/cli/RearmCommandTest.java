package io.timeshift.host.cli;

import io.timeshift.host.state.StateStore;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.TempHost;
import io.timeshift.host.time.GuestRtc;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** {@code time-shift rearm <vmid>} (the worker post-stop detaches): the next startdate, in the guest's zone if its RTC is local. */
class RearmCommandTest {
    private static final int VM = 105;
    private static final String DATE = "2021-03-01T12:00:00Z";
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");
    /** What {@code qm set 105 --startdate X} runs, through pvesh (qemu-server update_vm, PUT). */
    private static final String SET = "set /nodes/pve1/qemu/105/config --output-format json --startdate ";

    @TempDir
    Path dir;

    private TempHost host;
    private Path calls;
    private Path bin;
    private final MutableClock clock = new MutableClock(T0);

    @BeforeEach
    void node() throws IOException {
        host = new TempHost(dir);
        bin = Files.createDirectories(dir.resolve("bin"));
        // the admin tests' fake pvesh: records each argv under <dir>/pvesh/calls, writes succeed
        Path pvesh = bin.resolve("pvesh");
        try (java.io.InputStream in = RearmCommandTest.class.getResourceAsStream("/fake-pvesh/pvesh")) {
            Files.write(pvesh, in.readAllBytes());
        }
        Files.setPosixFilePermissions(pvesh, PosixFilePermissions.fromString("rwxr-xr-x"));
        calls = dir.resolve("pvesh/calls");
        Path pve = host.paths().pveDir();
        Files.createDirectories(pve.resolve("nodes/pve1"));
        Files.createSymbolicLink(pve.resolve("local"), Path.of("nodes/pve1"));
    }

    private int rearm() {
        FakeMonotonic mono = new FakeMonotonic();
        Services services = new Services(host.paths(), Map.of("PATH", bin + ":/usr/bin:/bin", "TZ", "UTC"), clock, mono,
                new FakeQemuGa(clock, mono)::client);
        return Cli.run(services, new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true),
                "rearm", Integer.toString(VM));
    }

    /** Every pvesh call, its argv joined by spaces, one per line. */
    private String pveshCalls() throws IOException {
        if (!Files.isDirectory(calls)) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(calls)) {
            for (Path f : files.sorted().toList()) {
                b.append(Files.readString(f).replace('\0', ' ').trim()).append('\n');
            }
        }
        return b.toString();
    }

    @Nested
    class ForALocalTimeRtc {
        @Test
        void aWindowsGuestGetsThePolicyDateInThePolicysZone() throws IOException {
            host.policy(PolicyJson.continuing(VM, DATE).with("guestZone", "Asia/Karachi"))
                    .conf(VM, TempHost.CONF.replace("ostype: l26", "ostype: win11"));

            assertEquals(0, rearm());

            assertEquals(SET + "2021-03-01T17:00:00\n", pveshCalls());
        }

        @Test
        void theOffsetTheLastApplyLearnedBeatsAPolicyWithoutZone() throws IOException {
            host.policy(PolicyJson.continuing(VM, DATE)).confWith(VM, "localtime: 1");
            new StateStore(host.paths()).update(VM, s -> s.guestZone(new GuestRtc.Learned(-18000, "EST", T0)));

            assertEquals(0, rearm());

            assertEquals(SET + "2021-03-01T07:00:00\n", pveshCalls());
        }

        @Test
        void nothingIsSetWhenTheStartdateIsAlreadyThat() throws IOException {
            host.policy(PolicyJson.fixed(VM, DATE).with("guestZone", "+05:00"))
                    .conf(VM, TempHost.CONF.replace("ostype: l26", "ostype: win10") + "startdate: 2021-03-01T17:00:00\n");

            assertEquals(0, rearm());

            assertFalse(Files.exists(calls), "no pvesh call");
        }
    }

    @Test
    void aUtcRtcGetsTheInstantInUtc() throws IOException {
        host.policy(PolicyJson.continuing(VM, DATE).with("guestZone", "Asia/Karachi")).confWith(VM);

        assertEquals(0, rearm());

        assertEquals(SET + "2021-03-01T12:00:00\n", pveshCalls());
    }
}

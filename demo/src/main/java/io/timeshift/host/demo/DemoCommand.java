package io.timeshift.host.demo;

import io.timeshift.host.cli.Services;

import io.timeshift.common.text.Sanitizer;

import io.timeshift.host.io.Json;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.time.GuestRtc;
import io.timeshift.common.time.Whens;
import io.timeshift.common.error.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true, description = {"Without Proxmox: boot a tiny real VM (Debian kernel, Debian's qemu-guest-agent) the way",
        "qemu-server would, run the hook phases, and watch the guest enter shifted time. Needs a checkout",
        "(tools/build-test-guest) and qemu-system-x86_64. With --guest debian: the Debian 12 jump VM of",
        "tools/build-jump-vm (systemd, systemd-timesyncd, the time-shift-guest package), its time sync shown",
        "stopped, and a certificate expired today accepted inside it."},
        footer = {"", "Examples:", "  time-shift demo", "  time-shift demo --date 2019-06-01T08:00:00Z --keep",
                "  time-shift demo --windows", "  time-shift demo --guest debian",
                "", "Environment: TIME_SHIFT_QEMU (QEMU binary), TIME_SHIFT_GUEST_CACHE (busybox guest cache),",
                "  " + JumpVmImage.CACHE_ENV + " (Debian jump-VM cache, default " + "/var/cache/time-shift-ci/jump-vm)."})
public final class DemoCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    @Option(names = "--date", description = "Guest date (fixed mode). Default: ${DEFAULT-VALUE}", defaultValue = "2021-03-01T12:00:00Z")
    String date;

    @Option(names = "--keep", description = "Keep the demo's temp PVE tree, state and audit log.")
    boolean keep;

    @Option(names = "--windows", description = "Play a Windows guest (ostype win11): its RTC runs in local time (here"
            + " Asia/Karachi, UTC+05:00), so startdate is written in that zone.")
    boolean windows;

    @Option(names = "--guest", paramLabel = "busybox|debian", description = "The guest: busybox (default; the tiny test"
            + " guest, built on first use) or debian (the cached jump VM of tools/build-jump-vm; the demo names the command"
            + " that builds it when it is missing).")
    String guest;

    public DemoCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() throws Exception {
        boolean debian = debianGuest(guest);
        if (debian && windows) {
            throw new InvalidInputException("--windows plays a Windows RTC on the busybox guest; it does not go with --guest debian"
                    + " (use one or the other)");
        }
        Instant when = Whens.parse(date, "--date");
        ExpiredCertDemo.Window window = debian ? ExpiredCertDemo.window(when, services.clock().instant()) : null;
        String zone = windows ? DemoService.WINDOWS_ZONE : null;
        String policy = new String(Json.pretty(new Policy(900, Mode.FIXED, when, null, Duration.ofSeconds(2), false, false,
                List.of(), null, null, zone).toJson()), StandardCharsets.UTF_8);
        // what enable writes: for a local-time RTC the guest's wall time (docs/pve-rtc.md)
        String startdate = GuestRtc.startdateFor(when, windows, zone, null, java.time.ZoneOffset.UTC);
        return new DemoService(services.env(), spec.commandLine().getOut(), services.clock())
                .run(900, policy, startdate, keep, windows, window);
    }

    /** {@code --guest}: busybox (default) or debian, in any case; anything else is refused in one line. */
    static boolean debianGuest(String value) {
        if (value == null || value.equalsIgnoreCase("busybox")) {
            return false;
        }
        if (value.equalsIgnoreCase("debian")) {
            return true;
        }
        throw new InvalidInputException("--guest '" + io.timeshift.common.text.Sanitizer.value(value)
                + "' is not a demo guest; use busybox (the default) or debian");
    }
}

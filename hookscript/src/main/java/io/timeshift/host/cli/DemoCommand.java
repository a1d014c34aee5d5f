package io.timeshift.host.cli;

import io.timeshift.host.demo.DemoService;
import io.timeshift.host.io.Json;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.time.GuestRtc;
import io.timeshift.common.time.Whens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", description = {"Without Proxmox: boot a tiny real VM (Debian kernel, Debian's qemu-guest-agent) the way",
        "qemu-server would, run the hook phases, and watch the guest enter shifted time. Needs a checkout",
        "(tools/build-test-guest) and qemu-system-x86_64."},
        footer = {"", "Examples:", "  time-shift demo", "  time-shift demo --date 2019-06-01T08:00:00Z --keep",
                "  time-shift demo --windows"})
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

    public DemoCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() throws Exception {
        Instant when = Whens.parse(date, "--date");
        String zone = windows ? DemoService.WINDOWS_ZONE : null;
        String policy = new String(Json.pretty(new Policy(900, Mode.FIXED, when, null, Duration.ofSeconds(2), false, false,
                List.of(), null, null, zone).toJson()), StandardCharsets.UTF_8);
        // what enable writes: for a local-time RTC the guest's wall time (docs/pve-rtc.md)
        String startdate = GuestRtc.startdateFor(when, windows, zone, null, java.time.ZoneOffset.UTC);
        return new DemoService(services.env(), spec.commandLine().getOut(), services.clock())
                .run(900, policy, startdate, keep, windows);
    }
}

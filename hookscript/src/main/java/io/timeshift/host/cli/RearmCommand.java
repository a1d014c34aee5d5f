package io.timeshift.host.cli;

import io.timeshift.common.error.InvalidInputException;

import io.timeshift.host.apply.Rearm;
import io.timeshift.host.time.GuestRtc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "rearm", hidden = true, description = "Internal: set startdate for the next cold start (detached from post-stop).")
public final class RearmCommand implements Callable<Integer> {
    private final Services services;

    @Parameters(index = "0", converter = VmidConverter.class)
    int vmid;

    @Parameters(index = "1", arity = "0..1", description = "Default: from the policy and the last stop")
    String startdate;

    public RearmCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        String when = startdate;
        if (when == null) {
            io.timeshift.host.policy.Policy p = new io.timeshift.host.policy.PolicyStore(services.paths()).read(vmid)
                    .orElseThrow(() -> new io.timeshift.common.error.InvalidInputException("VM " + vmid + " has no time-shift policy"));
            io.timeshift.host.state.VmState state = new io.timeshift.host.state.StateStore(services.paths()).read(vmid);
            java.time.Instant next = io.timeshift.host.apply.OffsetModel.nextStart(p, state.lastStop(), services.clock().instant());
            io.timeshift.pve.config.VmConfig conf = io.timeshift.pve.config.VmConfigParser.parseWithoutDigest(vmid,
                    services.paths().vmConf(vmid));
            // a guest whose RTC runs in local time reads startdate in its zone (docs/pve-rtc.md)
            when = GuestRtc.startdateFor(next, GuestRtc.localTime(conf.main(), conf.pending()), p.guestZone(), state.guestZone(),
                    GuestRtc.hostZone(services.env()));
            if (when.equals(GuestRtc.effective(conf.main(), conf.pending(), "startdate"))) {
                System.out.println(services.clock().instant() + " VM " + vmid + ": startdate is already " + when);
                return 0;
            }
        }
        new Rearm(services.env(), services.pve()::asRoot, io.timeshift.host.env.LocalNode.name(services.paths().pveDir()),
                services.paths().auditLog(), services.clock(), new io.timeshift.host.io.PrintStreamLines(System.out),
                Duration.ofMinutes(5)).rearm(vmid, when);
        return 0;
    }
}

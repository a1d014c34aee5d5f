package io.timeshift.host.cli;

import io.timeshift.host.apply.Rearm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "rearm", hidden = true, description = "Internal: set startdate for the next cold start (detached from post-stop).")
public final class RearmCommand implements Callable<Integer> {
    private final Services services;

    @Parameters(index = "0", converter = VmidConverter.class)
    int vmid;

    @Parameters(index = "1")
    String startdate;

    public RearmCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        new Rearm(services.env(), services.paths().auditLog(), services.clock(), System.out, Duration.ofMinutes(5))
                .rearm(vmid, startdate);
        return 0;
    }
}

package io.timeshift.host.cli;

import io.timeshift.host.admin.DisableService;
import io.timeshift.host.admin.Prompt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "disable", mixinStandardHelpOptions = true,
        description = {"Remove a VM's clock policy and restore the VM as it was: the previous hookscript (or none), startdate",
                "and agent setting, without the time-shift tag and Notes line, in one config update checked against the",
                "digest. A running guest gets its time sync back and its clock set to real time (unless --keep-clock).",
                "Running it again is harmless."},
        footer = {"", "Examples:", "  time-shift disable 105 --dry-run", "  time-shift disable 105 --yes",
                "  time-shift disable 105 --yes --keep-clock"})
public final class DisableCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<vmid>", converter = VmidConverter.class, description = "The VM (100-999999999).")
    int vmid;

    @Option(names = "--dry-run", description = "Only show what would change.")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Do it without asking.")
    boolean yes;

    @Option(names = "--keep-clock", description = "Leave the running guest's clock and time sync as they are.")
    boolean keepClock;

    public DisableCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        Duration wait = services.config().applyHold().plusSeconds(15);
        return new DisableService(services.paths(), services.env(), services.clock(), services.pve()::asRoot, services.agents(),
                Prompt.system(), spec.commandLine().getOut(), wait).disable(vmid, dryRun, yes, keepClock);
    }
}

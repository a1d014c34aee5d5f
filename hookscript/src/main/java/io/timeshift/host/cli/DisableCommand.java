package io.timeshift.host.cli;

import io.timeshift.common.error.EnvironmentException;
import io.timeshift.host.admin.DisablePreview;
import io.timeshift.host.admin.DisableResult;
import io.timeshift.host.admin.DisableService;
import io.timeshift.host.cli.Prompt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
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
        return run(new DisableService(services.paths(), services.env(), services.clock(), services.pve()::asRoot,
                services.agents(), wait), Prompt.system(), spec.commandLine().getOut(), vmid, dryRun, yes, keepClock);
    }

    /**
     * disable VM {@code vmid}: shows what will change ({@link DisableService#preview}), asks through
     * {@code prompt} (or {@code --yes}; a dry run stops there), makes the changes and shows what was done.
     *
     * @return the exit code
     */
    public static int run(DisableService svc, Prompt prompt, PrintWriter out, int vmid, boolean dryRun, boolean yes,
                          boolean keepClock) {
        DisablePreview.PolicyRead policy = svc.readPolicy(vmid);
        print(out, DisableRenderer.policyNote(policy));
        DisablePreview preview = svc.preview(policy, keepClock);
        print(out, DisableRenderer.preview(preview));
        if (preview instanceof DisablePreview.NothingToDo) {
            return 0;
        }
        if (preview instanceof DisablePreview.Orphan orphan) {
            if (dryRun) {
                print(out, List.of(DisableRenderer.orphanDryRun(orphan)));
                return 0;
            }
            svc.requireWritable();
            if (!prompt.require(yes, "Apply? [y/N] ")) {
                print(out, List.of("not confirmed; nothing was changed"));
                return 1;
            }
            print(out, DisableRenderer.orphanRemoved(svc.removeOrphan(orphan)));
            return 0;
        }
        int gate = prompt.gate(dryRun, yes, out, null);
        if (gate != Prompt.GO) {
            return gate;
        }
        DisableResult result = svc.disable((DisablePreview.Changes) preview, DisableRenderer.listener(out));
        print(out, DisableRenderer.result(result));
        String failure = DisableRenderer.guestFailure(result);
        if (failure != null) {
            throw new EnvironmentException(failure);
        }
        return 0;
    }

    private static void print(PrintWriter out, List<String> lines) {
        for (String l : lines) {
            out.println(l);
        }
        out.flush();
    }
}

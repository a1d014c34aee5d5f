package io.timeshift.host.cli;

import io.timeshift.host.admin.PlanService;
import io.timeshift.host.admin.Rollback;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Find a date at which every certificate of every target BMC is valid, by running",
                "time-shift-guest plan inside the VM (where the BMCs are reachable). --apply writes the suggested",
                "date into the VM's policy, startdate and Notes line. Exit 1 when no common window exists."},
        footer = {"", "Examples:", "  time-shift plan 105 --target https://idrac-r710.mgmt.example --target ilo3.mgmt.example:443",
                "  time-shift plan 105 --json", "  time-shift plan 105 --target idrac6.mgmt.example --apply"})
public final class PlanCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<vmid>", converter = VmidConverter.class, description = "The VM (100-999999999).")
    int vmid;

    @Option(names = "--target", paramLabel = "<bmc>",
            description = "host, host:port or https://host[:port]; repeatable (default: the policy's targets).")
    List<String> targets = new ArrayList<>();

    @Option(names = "--json", description = "Print the guest's result as JSON (window, suggested, targets, conflicts).")
    boolean json;

    @Option(names = "--apply", description = "Write the suggested date into the policy (mode kept) and the VM's startdate.")
    boolean apply;

    public PlanCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        PlanService svc = new PlanService(services.paths(), services.env(), services.clock(), services.pve()::asRoot,
                services.agents());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PlanService.Plan plan = svc.plan(vmid, targets, apply);
        int rc = PlanRenderer.render(plan, json, out, err);
        if (!apply) {
            return rc;
        }
        // with --json, stdout is the guest's object alone: what --apply changed goes to stderr
        PrintWriter messages = json ? err : out;
        PlanService.Applied applied;
        try {
            applied = svc.apply(plan);
        } catch (Rollback.Failed f) {
            throw RollbackRenderer.shown(f, messages);
        }
        PlanRenderer.applied(applied, messages);
        out.flush();
        return applied.exitCode();
    }
}

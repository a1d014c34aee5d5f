package io.timeshift.host.cli;

import io.timeshift.host.cli.Prompt;
import io.timeshift.host.cluster.ApiSetupService;
import io.timeshift.pve.api.PveClient;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.TimeShiftException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code time-shift api-setup [--yes] [--rotate]}: creates the least-privilege service account
 * ({@link ApiSetupService}) as root on a node, through pvesh. Without {@code --yes} it shows what it
 * would do and asks on a terminal; without a terminal it exits 2 having changed nothing.
 */
@Command(name = "api-setup", mixinStandardHelpOptions = true,
        description = {"Create the least-privilege API account the tool prefers over pvesh.",
                "Idempotent: user time-shift@pve, role TimeShift, ACL on /, and the token",
                "time-shift@pve!time-shift, its secret stored root-only (0600) in",
                "/etc/pve/priv/time-shift-token. Run as root on a node."},
        footer = {"", "Role privileges (and why):",
                "  VM.Audit              read VM config and status, see VMs in /cluster/resources",
                "  VM.Config.Options     set startdate, tags and the Notes line",
                "  Sys.Audit             see nodes (/nodes, /cluster/resources)",
                "  Datastore.Audit       list storages and their content",
                "  VM.Monitor            read the guest clock (agent get-time), PVE 8",
                "  VM.GuestAgent.Audit   the same on PVE 9 (replaces VM.Monitor)",
                "hookscript stays root@pam-only in Proxmox: enable sets it through pvesh as root.",
                "", "Examples:", "  time-shift api-setup            # show what would change",
                "  time-shift api-setup --yes", "  time-shift api-setup --rotate --yes   # new secret"})
public final class ApiSetupCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    @Option(names = "--yes", description = "Make the changes without asking.")
    boolean yes;

    @Option(names = "--rotate", description = "Delete and recreate the token (new secret; the old one stops working).")
    boolean rotate;

    public ApiSetupCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (PveClient client = services.pve().asRoot()) {
            ApiSetupService svc = new ApiSetupService(client, services.paths());
            ApiSetupService.Plan plan = svc.plan(rotate);
            out.println("Proxmox VE " + plan.pveMajor() + ": role " + ApiSetupService.ROLE + " gets only:");
            for (ApiSetupService.Privilege p : plan.privileges()) {
                out.printf(Locale.ROOT, "  %-20s %s%n", p.name(), p.why());
            }
            if (plan.changesNothing()) {
                failOnBlockers(plan.blockers());
                out.println("Everything is in place: user " + ApiSetupService.USER + ", role " + ApiSetupService.ROLE
                        + ", ACL on " + ApiSetupService.ACL_PATH + ", token " + ApiSetupService.FULL_TOKEN_ID
                        + " (secret in " + svc.tokenFile() + "). Nothing changed.");
                out.flush();
                return 0;
            }
            out.println(yes ? "Changes:" : "Would:");
            for (ApiSetupService.Step s : plan.steps()) {
                out.println("  - " + s.description());
            }
            out.flush();
            Boolean confirmed = Prompt.system().answer(yes, "Make these changes? [y/N] ");
            if (!Boolean.TRUE.equals(confirmed)) {
                err.println("time-shift: nothing changed; re-run with --yes to make these changes"
                        + (confirmed == null ? " (stdin is not a terminal, so there was no question)" : ""));
                return TimeShiftException.INVALID_INPUT;
            }
            List<String> done = svc.apply(plan);
            out.println("Done (" + done.size() + " change" + (done.size() == 1 ? "" : "s") + "); the secret was not"
                    + " shown and is in " + svc.tokenFile() + " (mode 0600).");
            out.flush();
            failOnBlockers(plan.blockers());
            return 0;
        }
    }

    private static void failOnBlockers(List<String> blockers) {
        if (!blockers.isEmpty()) {
            throw new EnvironmentException(String.join("; ", blockers));
        }
    }
}

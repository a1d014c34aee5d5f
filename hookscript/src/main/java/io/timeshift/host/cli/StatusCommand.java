package io.timeshift.host.cli;

import io.timeshift.common.error.TimeShiftException;
import io.timeshift.common.text.Sanitizer;
import io.timeshift.host.cluster.ClusterStatusService;
import io.timeshift.host.cluster.PveClients;
import io.timeshift.host.cluster.RemoteSpec;
import io.timeshift.host.env.LocalNode;
import io.timeshift.host.status.StatusRow;
import io.timeshift.host.status.StatusService;
import io.timeshift.pve.api.PveClient;
import io.timeshift.common.error.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show each VM's policy, expected and live guest time, drift, last apply and problems.",
        footer = {"", "Examples:", "  time-shift status", "  time-shift status 105 --json",
                "  time-shift status --all           # every VM with a policy, on any node",
                "  time-shift status --all --remote https://pve1:8006 --token-file t --ca ca.pem"})
public final class StatusCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    // Strings, converted in call(): for an optional multi-value positional picocli reports a failed
    // conversion as "Unmatched argument", which names neither <vmid> nor the valid form
    @Parameters(paramLabel = "<vmid>", arity = "0..*")
    List<String> vmidArgs = new ArrayList<>();

    @Option(names = "--json", description = "Print a JSON array, one object per VM (contract fields).")
    boolean json;

    @Option(names = "--all", description = "Every VM of the cluster with a policy (tagged time-shift), whichever node runs it.")
    boolean all;

    @Mixin
    RemoteOptions remote = new RemoteOptions();

    public StatusCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        remote.spec(spec.commandLine().getErr()); // --token-file & co. without --remote: exit 2, not ignored
        if (all || remote.remote()) {
            return cluster();
        }
        StatusService svc = new StatusService(services.paths(), services.clock(), services.agents(),
                LocalNode.name(services.paths().pveDir()));
        List<Integer> vmids = vmids();
        List<Integer> ids = vmids.isEmpty() ? svc.defaultVmids() : vmids;
        boolean tty = System.console() != null;
        List<StatusRow> rows = new ArrayList<>();
        for (int id : ids) {
            if (tty && !json && ids.size() > 3) {
                System.err.print("\rreading VM " + id + " ...");
            }
            try {
                rows.add(svc.status(id));
            } catch (RuntimeException e) {
                // one VM's odd files must not hide the others: its row says what is wrong
                rows.add(StatusRow.unreadable(id, Sanitizer.line(e instanceof TimeShiftException
                        ? e.getMessage() : "cannot read its status: " + e.getClass().getSimpleName() + ": " + e.getMessage())));
            }
        }
        if (tty && !json && ids.size() > 3) {
            System.err.print("\r" + " ".repeat(30) + "\r");
        }
        return emit(rows, false);
    }

    /**
     * {@code --all} and {@code --remote}: through the Proxmox API (pvesh or the api-setup token on a node,
     * HTTPS with {@code --remote}); VMs on this node keep the local view.
     */
    private int cluster() {
        List<Integer> vmids = vmids();
        if (all && !vmids.isEmpty()) {
            throw new InvalidInputException("give VMIDs or --all, not both (e.g. time-shift status --all)");
        }
        RemoteSpec target = remote.spec(spec.commandLine().getErr());
        String node = ClusterStatusService.localNodeName(services.paths()).orElse(null);
        StatusService local = new StatusService(services.paths(), services.clock(), services.agents(), node);
        PveClients clients = services.pve().withRetry(ClusterStatusService.fanOutRetry(services.pve().retry()));
        List<StatusRow> rows;
        try (PveClient client = clients.open(target)) {
            ClusterStatusService svc = new ClusterStatusService(client, services.paths(), node,
                    node == null ? null : local::status, services.clock(), ClusterStatusService.Settings.DEFAULTS);
            rows = vmids.isEmpty() ? svc.all() : svc.of(vmids);
        }
        return emit(rows, true);
    }

    /** {@code <vmid>} arguments, each checked like every other command's (one line naming the valid form). */
    private List<Integer> vmids() {
        // Strings converted here, not by picocli: for an optional multi-value positional picocli reports a
        // failed conversion as "Unmatched argument", which names neither <vmid> nor the valid form
        List<Integer> vmids = new ArrayList<>();
        for (String a : vmidArgs) {
            try {
                vmids.add(new VmidConverter().convert(a));
            } catch (picocli.CommandLine.TypeConversionException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "<vmid>: " + e.getMessage());
            }
        }
        return vmids;
    }

    private int emit(List<StatusRow> rows, boolean cluster) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.print(StatusRenderer.json(rows));
        } else {
            StatusRenderer.text(out, rows, cluster);
        }
        out.flush();
        return 0;
    }
}

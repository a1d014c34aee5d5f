package io.timeshift.host.cli;

import io.timeshift.common.error.TimeShiftException;
import io.timeshift.common.text.Sanitizer;
import io.timeshift.host.cluster.ClusterStatusService;
import io.timeshift.host.cluster.PveClients;
import io.timeshift.host.cluster.RemoteSpec;
import io.timeshift.host.env.LocalNode;
import io.timeshift.host.io.Json;
import io.timeshift.host.status.StatusService;
import io.timeshift.host.vmconfig.ConfigEdits;
import io.timeshift.pve.api.PveClient;
import io.timeshift.common.error.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int id : ids) {
            if (tty && !json && ids.size() > 3) {
                System.err.print("\rreading VM " + id + " ...");
            }
            try {
                rows.add(svc.status(id));
            } catch (RuntimeException e) {
                // one VM's odd files must not hide the others: its row says what is wrong
                Map<String, Object> row = new java.util.LinkedHashMap<>();
                row.put("vmid", id);
                for (String k : new String[] {"name", "node", "running", "mode", "expectedTime", "guestTime", "driftMs",
                        "inTolerance", "timeSync", "lastApply"}) {
                    row.put(k, null);
                }
                row.put("problems", List.of(io.timeshift.common.text.Sanitizer.line(e instanceof io.timeshift.common.error.TimeShiftException
                        ? e.getMessage() : "cannot read its status: " + e.getClass().getSimpleName() + ": " + e.getMessage())));
                rows.add(row);
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
        List<Map<String, Object>> rows;
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

    private int emit(List<Map<String, Object>> rows, boolean cluster) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.print(new String(Json.pretty(rows), StandardCharsets.UTF_8));
        } else {
            print(out, rows, cluster);
        }
        out.flush();
        return 0;
    }

    /** The table: one row per VM, further problems on rows of their own; the NODE column for {@code --all}. */
    static void print(PrintWriter out, List<Map<String, Object>> rows, boolean withNode) {
        if (rows.isEmpty()) {
            out.println(withNode
                    ? "No VM in the cluster has a time-shift policy (none is tagged " + ConfigEdits.TAG + ")."
                    : "No VM has a time-shift policy on this node (enable one with: time-shift enable <vmid> --date <when>).");
            return;
        }
        String fmt = withNode
                ? "%-6s %-10s %-16s %-8s %-20s %-20s %10s  %-23s %s%n"
                : "%-6s %-16s %-8s %-8s %-24s %-24s %10s  %-22s %s%n";
        if (withNode) {
            printRow(out, fmt, true, "VMID", "NODE", "NAME", "MODE", "EXPECTED", "GUEST", "DRIFT", "LAST APPLY", "PROBLEMS");
        } else {
            printRow(out, fmt, false, "VMID", "", "NAME", "MODE", "ISOLATED", "EXPECTED", "GUEST", "DRIFT", "LAST APPLY", "PROBLEMS");
        }
        for (Map<String, Object> r : rows) {
            @SuppressWarnings("unchecked")
            Map<String, Object> last = (Map<String, Object>) r.get("lastApply");
            String lastS = last == null ? "-" : last.get("result") + " " + shortTime(last.get("finishedAt") != null
                    ? last.get("finishedAt") : last.get("startedAt"));
            @SuppressWarnings("unchecked")
            List<String> problems = (List<String>) r.get("problems");
            String drift = r.get("driftMs") instanceof Number d ? String.format(Locale.ROOT, "%.1f ms", d.doubleValue()) : "-";
            String first = problems.isEmpty() ? "-" : problems.get(0);
            if (withNode) {
                printRow(out, fmt, true, r.get("vmid"), trunc(r.get("node"), 10), trunc(r.get("name"), 16), nz(r.get("mode")),
                        shortTime(r.get("expectedTime")), shortTime(r.get("guestTime")), drift, lastS, first);
            } else {
                // isolation (time-shift isolate): yes / no, "-" without a policy
                String iso = r.get("isolation") == null ? "-" : r.get("isolation").toString().startsWith("isolated") ? "yes" : "no";
                printRow(out, fmt, false, r.get("vmid"), "", trunc(r.get("name"), 16), nz(r.get("mode")), iso,
                        shortTime(r.get("expectedTime")), shortTime(r.get("guestTime")), drift, lastS, first);
            }
            for (int i = 1; i < problems.size(); i++) {
                if (withNode) {
                    printRow(out, fmt, true, "", "", "", "", "", "", "", "", problems.get(i));
                } else {
                    printRow(out, fmt, false, "", "", "", "", "", "", "", "", "", problems.get(i));
                }
            }
        }
    }

    /** One line; {@code node} is left out unless {@code withNode}. */
    private static void printRow(PrintWriter out, String fmt, boolean withNode, Object vmid, Object node, Object... rest) {
        List<Object> cells = new ArrayList<>();
        cells.add(vmid);
        if (withNode) {
            cells.add(node);
        }
        cells.addAll(java.util.Arrays.asList(rest));
        for (int i = 0; i < cells.size(); i++) {
            // names, messages and problems come from files and guests: one line each, no terminal escapes
            cells.set(i, io.timeshift.common.text.Sanitizer.line(String.valueOf(cells.get(i))));
        }
        out.printf(Locale.ROOT, fmt, cells.toArray());
    }

    private static String shortTime(Object o) {
        if (o == null) {
            return "-";
        }
        String s = o.toString();
        int dot = s.indexOf('.');
        return dot > 0 ? s.substring(0, dot) + "Z" : s;
    }

    private static String nz(Object o) {
        return o == null ? "-" : o.toString();
    }

    private static String trunc(Object o, int n) {
        String s = nz(o);
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }
}

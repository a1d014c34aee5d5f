package io.timeshift.host.cli;

import io.timeshift.host.admin.Isolation;
import io.timeshift.host.admin.IsolationPreview;
import io.timeshift.host.admin.IsolationResult;
import io.timeshift.host.admin.Progress;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The output of {@code time-shift isolate <vmid> on|off} and of {@code enable --isolate}'s isolation
 * step, from {@link io.timeshift.host.admin.IsolationService}'s typed values, as lines.
 */
public final class IsolationRenderer {
    private IsolationRenderer() {
    }

    /** The firewall changes, then what the datacenter firewall's state means for them. */
    static List<String> firewall(IsolationPreview.Firewall f) {
        List<String> out = plan(f.plan());
        out.addAll(cluster(f.cluster()));
        return out;
    }

    /** What isolating changes in the VM's firewall and NICs. */
    static List<String> plan(Isolation.Plan p) {
        List<String> out = new ArrayList<>();
        out.add("firewall of VM " + p.vmid() + " (through the Proxmox API):");
        out.addAll(resolved(p.endpoints()));
        Isolation.Desired d = p.desired();
        out.add("  +ipset " + Isolation.IPSET + ": " + (d.members().isEmpty() ? "(empty)" : String.join(", ", d.members().keySet())));
        for (Map<String, String> r : d.rules()) {
            out.add("  +rule OUT ACCEPT" + (r.containsKey("macro") ? " " + r.get("macro") : "") + " dest " + r.get("dest")
                    + (r.containsKey("dport") ? " " + r.get("proto") + "/" + r.get("dport") : ""));
        }
        for (Isolation.Change c : p.options()) {
            out.add("  -" + c.key() + ": " + (c.before() == null ? "(unset, " + c.unsetMeans() + ")" : c.before()));
            out.add("  +" + c.key() + ": " + c.after());
        }
        if (p.noNic()) {
            out.add("  note: VM " + p.vmid() + " has no network device; the firewall applies to the NICs it gets later only"
                    + " with firewall=1");
        }
        for (Isolation.Change c : p.nics()) {
            out.add("  -" + c.key() + ": " + c.before());
            out.add("  +" + c.key() + ": " + c.after());
        }
        return out;
    }

    /** The "name resolved to ..." lines, one per target that is a name. */
    public static List<String> resolved(List<Isolation.Endpoint> endpoints) {
        List<String> out = new ArrayList<>();
        for (Isolation.Endpoint e : endpoints) {
            if (!e.literal()) {
                out.add("  " + e.host() + " resolved to " + String.join(", ", e.addresses()));
            }
        }
        return out;
    }

    /** What undoing isolation changes in the VM's firewall (the NICs are in its config change). */
    static List<String> undo(Isolation.Undo u) {
        List<String> out = new ArrayList<>();
        if (u == null) {
            return out;
        }
        out.add("firewall of VM " + u.vmid() + " (isolation undone through the Proxmox API):");
        out.add("  -ipset " + u.ipset());
        for (String c : u.rules()) {
            out.add("  -rule '" + c + "'");
        }
        if (u.options() != null) {
            out.add("  options back to " + describe(u.options()));
        }
        return out;
    }

    /** What undoing isolation did in the VM's firewall, one line per step ("VM n: " goes before each). */
    static List<String> restored(Isolation.Restored r) {
        List<String> out = new ArrayList<>();
        if (r == null) {
            return out;
        }
        int n = r.rulesRemoved();
        if (n > 0) {
            out.add("removed " + n + " firewall rule" + (n == 1 ? "" : "s") + " time-shift had added");
        }
        for (String set : r.ipsets()) {
            out.add("removed the IP set " + set);
        }
        if (r.options() != null) {
            out.add("firewall options back to " + describe(r.options()));
        }
        return out;
    }

    /** {@code enable 1, policy_out ACCEPT}; a null value is "unset". */
    private static String describe(Map<String, Object> options) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Object> e : options.entrySet()) {
            parts.add(e.getKey() + " " + (e.getValue() == null ? "unset" : e.getValue()));
        }
        return String.join(", ", parts);
    }

    /** A warning when the datacenter firewall is off, a note when it could not be read; nothing when on (or not read). */
    static List<String> cluster(IsolationPreview.Cluster c) {
        if (c == null || c.on()) {
            return List.of();
        }
        if (c.unreadable() != null) {
            return List.of("note: the datacenter firewall options could not be read (" + c.unreadable() + ")");
        }
        return List.of("warning: the datacenter firewall is off, so the VM firewall takes no effect until it is on:"
                + " pvesh set /cluster/firewall/options --enable 1 (allow SSH/8006 to the nodes first)");
    }

    /** What {@code isolate <vmid> on} will do, up to the question. */
    static List<String> on(IsolationPreview.On p) {
        List<String> out = new ArrayList<>();
        if (p.already()) {
            out.add("VM " + p.vmid() + " is isolated already; its firewall entries are made again for the policy's targets");
            out.addAll(undo(p.undo()));
        }
        out.addAll(firewall(p.firewall()));
        return out;
    }

    /** The warnings, then what the VM may reach now. */
    static List<String> on(IsolationResult.On r) {
        List<String> out = new ArrayList<>(r.warnings());
        List<String> ports = new ArrayList<>();
        for (int port : r.ports()) {
            ports.add(Integer.toString(port));
        }
        out.add("VM " + r.vmid() + ": isolated: outbound traffic only to " + String.join(", ", r.members())
                + " on tcp/" + String.join(",", ports) + (r.dns().isEmpty() ? "" : " and DNS to " + String.join(", ", r.dns()))
                + " (IP set " + Isolation.IPSET + ", policy_out DROP); undo with: time-shift isolate " + r.vmid() + " off");
        return out;
    }

    /** What {@code isolate <vmid> off} will do, up to the question (or that there is nothing to do). */
    static List<String> off(IsolationPreview.Off preview) {
        List<String> out = new ArrayList<>();
        if (preview instanceof IsolationPreview.NotIsolated n) {
            out.add("VM " + n.vmid() + " is not isolated; nothing to do");
            return out;
        }
        IsolationPreview.Undo p = (IsolationPreview.Undo) preview;
        out.addAll(undo(p.firewall()));
        out.add("config of VM " + p.vmid() + " (one update, digest " + p.digest() + "):");
        if (p.configLines().isEmpty()) {
            out.add("   (no change)");
        } else {
            out.addAll(p.configLines());
        }
        return out;
    }

    /** The firewall steps done, the warnings, then that isolation is gone. */
    static List<String> off(IsolationResult.Off r) {
        List<String> out = new ArrayList<>();
        for (String l : restored(r.restored())) {
            out.add("VM " + r.vmid() + ": " + l);
        }
        out.addAll(r.warnings());
        out.add("VM " + r.vmid() + ": isolation removed; its firewall and network devices are as before");
        return out;
    }

    /** Prints each step undone after a failure as it happens. */
    static Progress progress(PrintWriter out) {
        return new Progress() {
            @Override
            public void rolledBack(String what) {
                out.println("rolled back: " + what);
                out.flush();
            }
        };
    }

}

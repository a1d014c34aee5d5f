package io.timeshift.host.cli;

import io.timeshift.host.admin.Isolation;
import io.timeshift.host.admin.IsolationPreview;
import io.timeshift.host.admin.IsolationResult;
import io.timeshift.host.admin.Progress;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The output of {@code time-shift isolate <vmid> on|off} and of {@code enable --isolate}'s isolation
 * step, from {@link io.timeshift.host.admin.IsolationService}'s typed values, as lines.
 */
final class IsolationRenderer {
    private IsolationRenderer() {
    }

    /** The firewall changes, then what the datacenter firewall's state means for them. */
    static List<String> firewall(IsolationPreview.Firewall f) {
        List<String> out = new ArrayList<>(f.firewallLines());
        out.addAll(cluster(f.cluster()));
        return out;
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
            out.addAll(p.undoLines());
        }
        out.addAll(firewall(p.firewall()));
        return out;
    }

    /** The warnings, then what the VM may reach now. */
    static List<String> on(IsolationResult.On r) {
        List<String> out = new ArrayList<>(warnings(r.warnings()));
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
        out.addAll(p.firewallLines());
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
        for (String l : r.restored()) {
            out.add("VM " + r.vmid() + ": " + l);
        }
        out.addAll(warnings(r.warnings()));
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

    private static List<String> warnings(List<String> warnings) {
        List<String> out = new ArrayList<>();
        for (String w : warnings) {
            out.add("warning: " + w);
        }
        return out;
    }
}

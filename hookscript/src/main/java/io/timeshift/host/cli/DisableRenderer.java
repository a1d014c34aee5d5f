package io.timeshift.host.cli;

import io.timeshift.common.policy.GuestPolicy;
import io.timeshift.host.admin.DisablePreview;
import io.timeshift.host.admin.DisableResult;
import io.timeshift.host.admin.DisableService;
import io.timeshift.host.admin.Isolation;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code time-shift disable}'s output, from {@link DisableService}'s typed values: the invalid-policy note,
 * the preview (before the question), the events while it runs, and the result; as lines, printed by
 * {@link DisableCommand}.
 */
final class DisableRenderer {
    private DisableRenderer() {
    }

    /** The note about a policy that fails validation (shown first, before the VM is looked at); none when valid. */
    static List<String> policyNote(DisablePreview.PolicyRead p) {
        if (p.invalid() == null) {
            return List.of();
        }
        return List.of("note: the policy is invalid (" + p.invalid() + ")" + (p.original() == null
                ? "; what enable replaced is unknown, only our own traces are removed" : "; using its 'original' anyway"));
    }

    /** What disable will do, up to the question. */
    static List<String> preview(DisablePreview preview) {
        List<String> out = new ArrayList<>();
        int vmid = preview.vmid();
        if (preview instanceof DisablePreview.NothingToDo) {
            out.add("VM " + vmid + " has no time-shift policy; nothing to do");
            return out;
        }
        if (preview instanceof DisablePreview.Orphan o) {
            out.add("VM " + vmid + " does not exist in this cluster any more; its policy " + o.policyFile() + " is an orphan");
            return out;
        }
        DisablePreview.Changes p = (DisablePreview.Changes) preview;
        boolean hasPolicy = p.policy().exists();
        out.add("VM " + vmid + " (" + (p.name() == null ? "no name" : p.name()) + ") on node " + p.node() + ", "
                + (p.running() ? "running" : "stopped") + (hasPolicy ? "" : ": no policy, removing leftovers"));
        out.add("config of VM " + vmid + " (one update, digest " + p.digest() + "):");
        if (p.configLines().isEmpty()) {
            out.add("   (no change)");
        } else {
            out.addAll(p.configLines());
        }
        if (p.note() != null) {
            out.add("note: " + p.note());
        }
        out.addAll(IsolationRenderer.undo(p.firewallUndo()));
        if (hasPolicy) {
            out.add("policy " + p.policy().file() + " (removed):");
            for (String l : p.policyLines()) {
                out.add("  " + l);
            }
        }
        DisablePreview.Guest g = p.guest();
        if (g != null) {
            List<String> units = g.units();
            if (g.keepClock()) {
                out.add("guest: --keep-clock: clock and time sync are left as they are (time sync stays off"
                        + (units.isEmpty() ? "" : ": " + String.join(", ", units)) + ")");
            } else {
                out.add("guest: remove " + GuestPolicy.FILE + ", " + (units.isEmpty() ? ""
                        : "re-enable " + String.join(", ", units) + ", ") + "set the clock back to real time through the agent");
            }
        }
        return out;
    }

    /** The line of a dry run of an orphan's removal (instead of the usual one: it says which file). */
    static String orphanDryRun(DisablePreview.Orphan o) {
        return "dry run: nothing was changed (would remove " + o.policyFile() + ")";
    }

    /** The lines after an orphan policy was removed. */
    static List<String> orphanRemoved(DisableResult.OrphanRemoved r) {
        List<String> out = new ArrayList<>(r.warnings());
        out.add("VM " + r.vmid() + ": orphan policy removed");
        return out;
    }

    /** Prints each event as it happens (the result's lines come after). */
    static DisableService.Listener listener(PrintWriter out) {
        return new DisableService.Listener() {
            @Override
            public void rolledBack(String what) {
                out.println("rolled back: " + what);
                out.flush();
            }

            @Override
            public void firewallRestored(int vmid, Isolation.Restored done) {
                for (String l : IsolationRenderer.restored(done)) {
                    out.println("VM " + vmid + ": " + l);
                }
                out.flush();
            }

            @Override
            public void disabled(int vmid, boolean configRestored) {
                out.println(disabledLine(vmid, configRestored));
                out.flush();
            }

            @Override
            public void waitingForWorker(int vmid, Duration upTo) {
                out.println("VM " + vmid + ": waiting for the running apply worker to finish (up to " + upTo.toSeconds() + " s)");
                out.flush();
            }
        };
    }

    static String disabledLine(int vmid, boolean configRestored) {
        return "VM " + vmid + ": time-shift disabled" + (configRestored ? "; config restored" : "");
    }

    /**
     * The result's lines after the events ({@link #listener}: the firewall steps and {@link #disabledLine}
     * were shown as they happened): the guest, then warnings.
     */
    static List<String> result(DisableResult r) {
        List<String> out = new ArrayList<>();
        int vmid = r.vmid();
        if (r.guest() instanceof DisableResult.Reset reset) {
            out.add("VM " + vmid + ": " + reset.summary());
        } else if (r.guest() instanceof DisableResult.Stopped && r.policyRemoved()) {
            out.add("VM " + vmid + " is stopped, so its guest was not touched; after its next start run in the guest: rm -f "
                    + GuestPolicy.FILE + (r.units().isEmpty() ? "" : "; systemctl enable --now " + String.join(" ", r.units())));
        }
        out.addAll(r.warnings());
        return out;
    }

    /** The error of a guest that could not be reset (exit 3 after the result was shown), or null. */
    static String guestFailure(DisableResult r) {
        if (!(r.guest() instanceof DisableResult.ResetFailed f)) {
            return null;
        }
        return "VM " + r.vmid() + ": disabled, but the guest was not reset: " + f.reason()
                + "; the guest clock may still be shifted" + (r.units().isEmpty() ? ""
                : " (in the guest run: systemctl enable --now " + String.join(" ", r.units()) + ")");
    }

}

package io.timeshift.host.cli;

import io.timeshift.host.admin.EnableService;

import java.io.PrintWriter;

/**
 * {@code time-shift enable}'s output: the preview (what will change, shown before asking), then what
 * was enabled and what happened to a running guest.
 */
final class EnableRenderer {
    private EnableRenderer() {
    }

    /** The note that the existing policy file is invalid and gets replaced. */
    static void invalidPolicy(String why, PrintWriter out) {
        out.println("note: the existing policy is invalid and will be replaced (" + why + ")");
    }

    /** Everything enable will change; ends with the policy file's diff. */
    static void preview(EnableService.Preview p, PrintWriter out) {
        int vmid = p.vmid();
        if (p.invalidPolicy() != null) {
            invalidPolicy(p.invalidPolicy(), out);
        }
        out.println("VM " + vmid + " (" + (p.vmName() == null ? "no name" : p.vmName()) + ") on node " + p.node() + ", "
                + (p.running() ? "running" : "stopped") + ": " + p.policySummary());
        out.println(p.guestZoneLine());
        if (p.notesLine() != null) {
            out.println(p.notesLine());
        }
        EnableService.StorageChange s = p.storageChange();
        if (s != null) {
            out.println("storage " + s.storage() + ": content " + String.join(",", s.content()) + " -> " + s.newContent()
                    + " (pvesm set " + s.storage() + " --content " + s.newContent() + ")" + (p.yes() ? "" : " [only with --yes]"));
        }
        EnableService.SnippetFix f = p.snippetFix();
        if (f != null) {
            out.println("snippet " + f.path() + ": " + f.problem() + "; "
                    + (f.source() != null ? "install it from " + f.source() : "chmod 0755 it"));
        }
        if (p.chain() != null) {
            out.println("chain: " + p.chain() + " keeps running first for every phase (its exit status decides pre-start)");
        }
        out.println("config of VM " + vmid + " (one update, digest " + p.digest() + "):");
        if (p.configDiff().isEmpty()) {
            out.println("   (no change)");
        } else {
            for (String l : p.configDiff()) {
                out.println("  " + l);
            }
        }
        out.println("policy " + p.policyFile() + (p.policyIsNew() ? " (new):" : ":"));
        for (String l : p.policyDiff()) {
            out.println("  " + l);
        }
    }

    /** The changes are made: what was enabled, and for a running guest that startdate waits (before the question about it). */
    static void enabled(EnableService.Enabled e, PrintWriter out) {
        int vmid = e.vmid();
        out.println("VM " + vmid + ": time-shift enabled (" + e.policySummary() + ")");
        if (e.running()) {
            out.println("VM " + vmid + " is running: startdate applies from its next cold start (stop and start;"
                    + " a reboot inside the guest keeps the current clock)");
        }
        out.flush();
    }

    /** What happened to the running guest, and an audit entry that could not be written. */
    static void finished(EnableService.Result r, PrintWriter out) {
        int vmid = r.enabled().vmid();
        switch (r.applyNow()) {
            case COLD_START_NEEDED -> out.println("the guest agent was off: QEMU only gets its channel at the next cold start, so"
                    + " the running guest cannot be shifted now; stop and start VM " + vmid + " (qm shutdown " + vmid
                    + " && qm start " + vmid + ")");
            case STARTED -> out.println("applying now in the background (pid " + r.pid() + ", log " + r.workerLog()
                    + "); check with: time-shift status " + vmid);
            case FAILED -> out.println("could not start the apply worker (" + r.workerError() + "); run: time-shift apply " + vmid);
            case NOT_ASKED -> out.println("to shift the running guest now: time-shift apply " + vmid);
            case NOT_RUNNING -> {
            }
        }
        if (r.auditWarning() != null) {
            out.println(r.auditWarning());
        }
        out.flush();
    }
}

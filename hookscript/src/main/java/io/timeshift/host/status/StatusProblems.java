package io.timeshift.host.status;

import io.timeshift.host.vmconfig.ConfigEdits;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The problem lines that {@code status} (this node, {@link StatusService}) and {@code status --all}
 * (other nodes, {@code ClusterStatusService}) both report, worded once so the two kinds of rows stay alike.
 */
public final class StatusProblems {
    private StatusProblems() {
    }

    /**
     * For a VM with a policy: its hookscript is not ours, its guest agent is off (one line each, in
     * that order; none when both are fine).
     */
    public static void configProblems(int vmid, Optional<String> hookscript, boolean agentEnabled, List<String> problems) {
        if (!ConfigEdits.isOurs(hookscript.orElse(null))) {
            problems.add("policy present but the VM's hookscript is " + hookscript.orElse("not set")
                    + " (fix: time-shift enable " + vmid + " again)");
        }
        if (!agentEnabled) {
            problems.add("guest agent not enabled in the VM config (fix: qm set " + vmid + " --agent enabled=1)");
        }
    }

    /**
     * The guest clock is off by more than the tolerance.
     *
     * @param allowanceMs added to the tolerance (PVE's whole-second uptime), 0 for none
     * @param node        where to run the fix, or null for this node
     */
    public static String drift(int vmid, double driftMs, Duration tolerance, long allowanceMs, String node) {
        return "guest clock is " + driftMs + " ms from the policy (tolerance " + tolerance
                + (allowanceMs > 0 ? " + " + allowanceMs + " ms for PVE's whole-second uptime" : "")
                + "; fix: time-shift apply " + vmid + (node == null ? "" : " on " + node) + ")";
    }
}

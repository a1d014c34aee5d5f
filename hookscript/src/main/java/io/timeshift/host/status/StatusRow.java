package io.timeshift.host.status;

import io.timeshift.host.policy.IsolationRecord;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.state.VmState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One VM's row of {@code time-shift status} (this node, {@link StatusService}) and {@code status --all}
 * ({@code cluster.ClusterStatusService}): what is known about the VM, null where it is not known. The
 * command line renders it ({@code cli.StatusRenderer}: the table, or {@code --json} with one member per
 * component, in this order).
 *
 * @param vmid             the VM
 * @param name             its name from the config, null when not known or not a valid name
 * @param node             the node it runs on, null when not known
 * @param running          whether QEMU runs; null only when the row is not {@code readable}
 * @param mode             the policy's (or Notes line's) mode, null without one
 * @param expectedTime     the guest time the policy expects now, null when not known
 * @param guestTime        the guest time read through the agent, null when not read
 * @param driftMs          guest minus expected in ms (rounded to µs), null when either is missing
 * @param inTolerance      whether the drift is within the tolerance, null without a drift
 * @param timeSync         what the policy does with the guest's time sync, null without a policy
 * @param timeSyncDisabled the time sync units time-shift turned off (this node's state), null when the
 *                         state is not readable here (another node)
 * @param isolation        the policy's isolation ({@code time-shift isolate}), null without a policy
 * @param lastApply        the last apply (state, or the Notes line for another node), null for none
 * @param problems         one line each, with the fix; empty when all is well
 * @param readable         false when the VM's status could not be read at all (see {@link #unreadable})
 */
public record StatusRow(int vmid, String name, String node, Boolean running, Mode mode, Instant expectedTime,
                        Instant guestTime, Double driftMs, Boolean inTolerance, TimeSync timeSync,
                        List<String> timeSyncDisabled, Isolation isolation, LastApply lastApply, List<String> problems,
                        boolean readable) {

    public StatusRow {
        timeSyncDisabled = timeSyncDisabled == null ? null : Collections.unmodifiableList(new ArrayList<>(timeSyncDisabled));
        problems = Collections.unmodifiableList(new ArrayList<>(problems));
    }

    /**
     * The row of a VM whose status could not be read: only the VMID and the one problem; nothing else is
     * known (its JSON members are null).
     */
    public static StatusRow unreadable(int vmid, String problem) {
        return new StatusRow(vmid, null, null, null, null, null, null, null, null, null, null, null, null,
                List.of(problem), false);
    }

    /** What the policy does with the guest's time sync units (policy {@code timeSync}). */
    public enum TimeSync {
        KEEP, DISABLE;

        /** As in the policy file: {@code keep}, {@code disable}. */
        public String id() {
            return this == KEEP ? "keep" : "disable";
        }

        /** The policy's choice; null without a policy. */
        public static TimeSync of(Policy p) {
            return p == null ? null : p.keepTimeSync() ? KEEP : DISABLE;
        }
    }

    /**
     * The policy's isolation record.
     *
     * @param isolated whether {@code time-shift isolate} restricted the VM's network
     * @param text     how status words it ({@link IsolationRecord#statusText}), e.g. "not isolated"
     */
    public record Isolation(boolean isolated, String text) {
        /** The policy's isolation; null without a policy. */
        public static Isolation of(Policy p) {
            return p == null ? null : new Isolation(IsolationRecord.isolated(p), IsolationRecord.statusText(p));
        }
    }

    /**
     * The last apply: the state's {@code lastApply} object (or the Notes line's, marked {@code "source":
     * "notes"}), every member in its order, also those a newer version wrote (the state keeps unknown
     * members, so status shows them). The accessors read the members status uses; the state's reader
     * has checked their types ({@code VmState.problem}).
     */
    public record LastApply(Map<String, Object> members) {
        public LastApply {
            members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }

        /** {@code ok}, {@code failed}, {@code running}, {@code skipped}; null when not recorded. */
        public String result() {
            return string("result");
        }

        public String message() {
            return string("message");
        }

        /** ISO-8601, as recorded; null when not recorded. */
        public String startedAt() {
            return string("startedAt");
        }

        /** ISO-8601, as recorded; null while running. */
        public String finishedAt() {
            return string("finishedAt");
        }

        /** The detached worker's pid while it runs; null when not known. */
        public Long workerPid() {
            return members.get("workerPid") instanceof Number n ? n.longValue() : null;
        }

        public boolean failed() {
            return VmState.RESULT_FAILED.equals(result());
        }

        public boolean running() {
            return VmState.RESULT_RUNNING.equals(result());
        }

        /** The same record marked failed with {@code message} (shown, never written back). */
        public LastApply failedWith(String message) {
            Map<String, Object> m = new LinkedHashMap<>(members);
            m.put("result", VmState.RESULT_FAILED);
            m.put("message", message);
            return new LastApply(m);
        }

        private String string(String key) {
            Object v = members.get(key);
            return v == null ? null : v.toString();
        }
    }
}

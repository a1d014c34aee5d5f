package io.timeshift.host.hook;

import io.timeshift.common.error.EnvironmentException;

import io.timeshift.host.apply.ClockMirror;
import io.timeshift.host.apply.OffsetModel;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.state.VmState;
import io.timeshift.common.time.Instants;
import io.timeshift.common.time.Whens;
import io.timeshift.pve.config.VmConfig;
import io.timeshift.pve.config.VmConfigParser;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * pre-start: decides this start's offset (a new run), records it in state and in the pmxcfs clock
 * mirror, and says what the guest clock will be set to. Writes no VM config (Proxmox holds its lock).
 */
final class PreStart implements PhaseHandler {
    private final HookContext ctx;

    PreStart(HookContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Outcome run(int vmid, Policy policy) {
        Instant now = ctx.clock.instant();
        ClockMirror mirror = new ClockMirror(ctx.paths);
        ClockMirror.Entry mirrored = mirror.read(vmid);
        boolean migrated = ctx.migrated();
        boolean backup = false;
        String resume = null;
        // A migration target reads no config: it still lives under nodes/<source>/ until the migration
        // is done, and nothing in it changes this start (the guest keeps its running clock).
        if (!migrated) {
            VmConfig conf = VmConfigParser.parseWithoutDigest(vmid, ctx.paths.vmConf(vmid));
            backup = "backup".equals(conf.lock().orElse(null));
            resume = resumeKind(vmid, conf);
            if (!conf.agentEnabled()) {
                String msg = "the QEMU guest agent is not enabled in the VM config, so the clock cannot be set after boot"
                        + " (fix: qm set " + vmid + " --agent enabled=1, and install qemu-guest-agent in the guest)";
                if (policy.abortOnError()) {
                    throw new io.timeshift.common.error.EnvironmentException(msg);
                }
                ctx.err.println("time-shift: VM " + vmid + ": warning: " + msg);
            }
        }
        StartDecision start = new StartDecision(vmid, policy, now, mirrored, resume != null, backup, migrated);
        ctx.states().update(vmid, start); // decides from the state it reads under the lock
        if (!migrated) {
            mirror.writeRun(vmid, start.run, mirrored); // where a live-migration target will look for this run's offset
        }
        OffsetModel.Decision d = start.decision;
        Instant target = d.guestTimeAt(now);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("mode", policy.mode().id());
        details.put("reason", d.reason().id);
        details.put("guestTimeAtStart", Instants.iso(target));
        details.put("offsetNs", d.offsetNs());
        if (backup) {
            details.put("backup", true);
        }
        if (resume != null) {
            details.put("resume", resume);
        }
        if (migrated) {
            details.put("migratedFrom", ctx.migratedFrom());
        }
        ctx.audit(vmid, "hook-pre-start", details);
        if (migrated) {
            ctx.out.println("time-shift: VM " + vmid + " migrated from " + ctx.migratedFrom()
                    + ": the guest keeps its clock (not re-applied)");
        } else {
            ctx.out.println("time-shift: VM " + vmid + " (" + policy.summary() + "): guest clock will be set to "
                    + Instants.iso(target) + " once its agent answers" + (backup ? " (backup start: guest runs after vzdump resumes it)" : ""));
        }
        return Outcome.OK;
    }

    /**
     * Why this start continues a saved guest rather than booting one, or null for a fresh start. Such a
     * start keeps the guest's clock: no fresh offset (docs/pve-facts.md §1.7).
     * qemu-server's {@code vm_start} resumes when the config has {@code lock: suspended} or a
     * {@code vmstate}; a rollback to a snapshot with RAM starts with the snapshot's state file, and only
     * the task that runs us (a {@code qmrollback}) tells it from a later cold start.
     */
    private String resumeKind(int vmid, VmConfig conf) {
        if ("suspended".equals(conf.lock().orElse(null))) {
            return "suspended";
        }
        if (conf.vmstate().isPresent()) {
            return "hibernated";
        }
        String parent = conf.get("parent").orElse(null);
        Map<String, String> snapshot = parent == null ? null : conf.snapshots().get(parent);
        if (snapshot != null && snapshot.get("vmstate") != null) {
            PveTask task = PveTask.ofAncestors(ctx.procDir);
            if (task != null && task.isRollbackOf(vmid)) {
                return "rollback";
            }
        }
        return null;
    }

    /**
     * pre-start's decision, made from the state read under the state lock (one read, no window for
     * another phase to change it in between): the offset of this start, recorded as the new run.
     */
    private static final class StartDecision implements java.util.function.Consumer<VmState> {
        private final int vmid;
        private final Policy policy;
        private final Instant now;
        private final ClockMirror.Entry mirrored;
        private final boolean resume;
        private final boolean backup;
        private final boolean migrated;
        OffsetModel.Decision decision;
        VmState.Run run;

        StartDecision(int vmid, Policy policy, Instant now, ClockMirror.Entry mirrored, boolean resume, boolean backup,
                      boolean migrated) {
            this.vmid = vmid;
            this.policy = policy;
            this.now = now;
            this.mirrored = mirrored;
            this.resume = resume;
            this.backup = backup;
            this.migrated = migrated;
        }

        @Override
        public void accept(VmState before) {
            VmState.Stop lastStop = ClockMirror.newest(before.lastStop(), mirrored == null ? null : mirrored.stop());
            if (lastStop != null && lastStop.policy() != null && !lastStop.policy().equals(policy.summary())) {
                lastStop = null; // recorded under another policy (re-enabled with a new date): start over
            }
            Long lastOffset = before.run() != null ? Long.valueOf(before.run().offsetNs())
                    : mirrored == null ? null : mirrored.offsetNs();
            before.phase(Phase.PRE_START.id(), now);
            if (migrated) {
                // The guest keeps its clock across live migration: carry the source's run over (its id, so a
                // later stop here is measured against it, and its offset), never re-apply. The newest run
                // under this policy wins: the pmxcfs mirror the source's pre-start wrote, else ours.
                VmState.Run carried = newestRun(before.run(), mirrored == null ? null : mirrored.run());
                if (carried != null) {
                    decision = new OffsetModel.Decision(carried.offsetNs(), OffsetModel.Reason.MIGRATED);
                    run = new VmState.Run(carried.id(), carried.startedAt(), carried.offsetNs(),
                            OffsetModel.Reason.MIGRATED.id, backup, policy.summary());
                } else {
                    long off = lastOffset != null ? lastOffset : OffsetModel.decide(policy, now, lastStop, null, false).offsetNs();
                    decision = new OffsetModel.Decision(off, OffsetModel.Reason.MIGRATED);
                    run = new VmState.Run(Instants.iso(now), now, off, decision.reason().id, backup, policy.summary());
                }
                before.run(run);
                return; // nothing is set on a running guest: no year check can refuse an incoming migration
            }
            decision = OffsetModel.decide(policy, now, lastStop, lastOffset, resume);
            Instant target = decision.guestTimeAt(now);
            Whens.requireSettableYear(target, "VM " + vmid + " guest time " + Instants.iso(target));
            run = new VmState.Run(Instants.iso(now), now, decision.offsetNs(), decision.reason().id, backup,
                    policy.summary());
            before.run(run);
        }

        /** The newer (by start) of two runs recorded under this policy, or null. */
        private VmState.Run newestRun(VmState.Run local, VmState.Run mirror) {
            VmState.Run a = local != null && policy.summary().equals(local.policy()) ? local : null;
            VmState.Run b = mirror != null && policy.summary().equals(mirror.policy()) ? mirror : null;
            if (a == null || b == null) {
                return a != null ? a : b;
            }
            return b.startedAt().isAfter(a.startedAt()) ? b : a;
        }
    }
}

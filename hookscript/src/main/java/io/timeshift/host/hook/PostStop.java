package io.timeshift.host.hook;

import io.timeshift.host.apply.ClockMirror;
import io.timeshift.host.apply.OffsetModel;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.state.VmState;
import io.timeshift.host.time.GuestRtc;
import io.timeshift.common.time.Instants;
import io.timeshift.pve.config.VmConfig;
import io.timeshift.pve.config.VmConfigParser;
import io.timeshift.common.error.TimeShiftException;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * post-stop: closes the run once (the stop pre-stop measured, or an estimate) and, when the next cold
 * start needs another {@code startdate}, leaves the rearm worker ({@link Detach#REARM}): the VM config
 * is still locked here.
 */
final class PostStop implements PhaseHandler {
    private final HookContext ctx;

    PostStop(HookContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Outcome run(int vmid, Policy policy) {
        Instant now = ctx.clock.instant();
        StopDecision decided = new StopDecision(policy, now);
        ctx.states().update(vmid, decided); // checked and marked under the lock: two cleanup paths may race
        if (decided.alreadyDone) {
            return Outcome.OK; // post-stop for this run was handled already (legacy and new cleanup paths)
        }
        VmState.Stop stop = decided.stop;
        if (stop != null) {
            new ClockMirror(ctx.paths).write(vmid, stop);
        }
        // next cold start: boot the guest already near its time (the worker corrects the rest)
        Instant next = OffsetModel.nextStart(policy, stop, now);
        String startdate = Instants.pveStartdate(next);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("guestTimeAtStop", stop == null ? null : Instants.iso(stop.guestTime()));
        details.put("source", stop == null ? null : stop.source());
        String current = null;
        boolean localRtc = false;
        try {
            VmConfig conf = VmConfigParser.parseWithoutDigest(vmid, ctx.paths.vmConf(vmid));
            current = conf.pending().getOrDefault("startdate", conf.startdate().orElse(null));
            // a guest whose RTC runs in local time reads startdate in its zone (docs/pve-rtc.md); its startdate
            // is computed by the detached worker: a zone's rules cost a fresh JVM ~30 ms and load lambdas
            localRtc = GuestRtc.localTime(conf.main(), conf.pending());
        } catch (TimeShiftException e) {
            // conf gone (VM destroyed or moved): nothing to re-arm
            details.put("rearm", "skipped: " + e.getMessage());
            ctx.audit(vmid, "hook-post-stop", details);
            return Outcome.OK;
        }
        Outcome outcome = Outcome.OK;
        if (localRtc || (policy.mode() != Mode.FIXED && !startdate.equals(current))) {
            String shown = localRtc ? "in the guest's local time (the worker computes it)" : startdate;
            if (ctx.detacher.viaLauncher()) {
                details.put("rearm", shown);
                outcome = Outcome.detach(Detach.REARM);
            } else try {
                List<String> args = new ArrayList<>(Detach.REARM.args(vmid));
                if (!localRtc) {
                    args.add(startdate);
                }
                long pid = ctx.detacher.spawn(args, ctx.paths.workerLog(vmid));
                details.put("rearm", shown);
                details.put("rearmPid", pid);
            } catch (IOException e) {
                details.put("rearm", "failed: " + e.getMessage());
                ctx.err.println("time-shift: VM " + vmid + ": cannot start the startdate worker: " + e.getMessage());
            }
        }
        ctx.audit(vmid, "hook-post-stop", details);
        return outcome;
    }

    /** post-stop's decision under the state lock: once per run, with the stop pre-stop measured or an estimate. */
    private static final class StopDecision implements java.util.function.Consumer<VmState> {
        private final Policy policy;
        private final Instant now;
        boolean alreadyDone;
        VmState.Stop stop;

        StopDecision(Policy policy, Instant now) {
            this.policy = policy;
            this.now = now;
        }

        @Override
        public void accept(VmState cur) {
            VmState.Run run = cur.run();
            String runId = run == null ? null : run.id();
            if (runId != null && runId.equals(cur.postStopDoneFor())) {
                alreadyDone = true;
                return;
            }
            VmState.Stop last = cur.lastStop();
            if (last != null && runId != null && runId.equals(last.runId())) {
                stop = last; // pre-stop measured it
            } else if (run != null) {
                stop = HookContext.estimatedStop(run, now, policy); // guest powered itself off, crashed or hibernated
            }
            cur.phase(Phase.POST_STOP.id(), now);
            if (stop != null) {
                cur.lastStop(stop);
            }
            cur.postStopDoneFor(runId);
        }
    }
}

package io.timeshift.host.hook;

import io.timeshift.common.error.EnvironmentException;

import io.timeshift.host.policy.Policy;
import io.timeshift.host.state.StateStore;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * post-start: leaves the apply worker ({@link Detach#APPLY}), which waits for the guest agent and sets
 * the clock. Through the launcher the outcome names it; without the launcher the hook spawns it.
 */
final class PostStart implements PhaseHandler {
    private final HookContext ctx;

    PostStart(HookContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Outcome run(int vmid, Policy policy) {
        Instant now = ctx.clock.instant();
        StateStore states = ctx.states();
        if (ctx.migrated()) {
            states.update(vmid, new HookContext.PhaseChange(Phase.POST_START, now));
            ctx.audit(vmid, "hook-post-start", Map.of("result", "skipped", "reason", "migrated",
                    "migratedFrom", ctx.migratedFrom()));
            return Outcome.OK;
        }
        if (ctx.detacher.viaLauncher()) {
            // the shell launcher starts the worker after this JVM exits (Detach.APPLY's exit code): no
            // process spawning in Java and no second JVM competing with this one for the CPU
            states.update(vmid, new HookContext.PhaseChange(Phase.POST_START, now).workerRequested());
            ctx.audit(vmid, "hook-post-start", Map.of("result", "worker-requested"));
            ctx.out.println("time-shift: VM " + vmid + ": applying the clock policy in the background (see: time-shift status "
                    + vmid + ")");
            return Outcome.detach(Detach.APPLY);
        }
        long pid;
        try {
            pid = ctx.detacher.spawn(Detach.APPLY.args(vmid), ctx.paths.workerLog(vmid));
        } catch (IOException e) {
            throw new io.timeshift.common.error.EnvironmentException("cannot start the apply worker: " + e.getMessage()
                    + " (run time-shift apply " + vmid + " by hand)", e);
        }
        states.update(vmid, new HookContext.PhaseChange(Phase.POST_START, now).workerStarted(pid));
        ctx.audit(vmid, "hook-post-start", Map.of("result", "worker-started", "workerPid", pid));
        ctx.out.println("time-shift: VM " + vmid + ": applying the clock policy in the background (worker pid " + pid
                + "; see: time-shift status " + vmid + ")");
        return Outcome.OK;
    }
}

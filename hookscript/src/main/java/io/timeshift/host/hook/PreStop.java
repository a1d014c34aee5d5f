package io.timeshift.host.hook;

import io.timeshift.host.apply.ClockMirror;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.state.VmState;
import io.timeshift.common.time.Instants;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.pve.qga.QgaClient;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * pre-stop: measures the guest clock through its agent within the configured budget (else estimates it
 * from the run's offset) and records the stop, so that the next start continues from it.
 */
final class PreStop implements PhaseHandler {
    private final HookContext ctx;

    PreStop(HookContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Outcome run(int vmid, Policy policy) {
        Instant now = ctx.clock.instant();
        StateStore states = ctx.states();
        VmState cur = states.read(vmid);
        VmState.Run run = cur.run();
        VmState.Stop stop = null;
        String note = null;
        if (Files.exists(ctx.paths.qgaSocket(vmid)) && !ctx.config.preStopBudget().isZero()) {
            try {
                QgaClient.TimedReading r = ctx.agents.apply(vmid).withTimeout(ctx.config.preStopBudget())
                        .timedGetTime(new HostNanos(ctx.clock));
                stop = new VmState.Stop(Instants.fromEpochNanos(r.hostNanos()), Instants.fromEpochNanos(r.guestNanos()),
                        "agent", run == null ? null : run.id(), policy.summary());
            } catch (TimeShiftException e) {
                note = e.getMessage();
            }
        }
        if (stop == null && run != null) {
            stop = HookContext.estimatedStop(run, now, policy);
        }
        VmState.Stop recorded = stop;
        states.update(vmid, new HookContext.PhaseChange(Phase.PRE_STOP, now).stop(recorded));
        if (recorded != null) {
            new ClockMirror(ctx.paths).write(vmid, recorded);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("guestTime", recorded == null ? null : Instants.iso(recorded.guestTime()));
        details.put("source", recorded == null ? null : recorded.source());
        if (note != null) {
            details.put("agent", note);
        }
        ctx.audit(vmid, "hook-pre-stop", details);
        return Outcome.OK;
    }

    /** Host wall time in ns (a named class: no lambda bootstrap on the hook path). */
    private static final class HostNanos implements java.util.function.LongSupplier {
        private final Clock clock;

        HostNanos(Clock clock) {
            this.clock = clock;
        }

        @Override
        public long getAsLong() {
            return Instants.toEpochNanos(clock.instant());
        }
    }
}

package io.timeshift.host.hook;

import io.timeshift.host.apply.Detacher;
import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.env.HostConfig;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.io.PrintStreamLines;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.state.VmState;
import io.timeshift.common.time.Instants;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.common.text.Sanitizer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.function.IntFunction;

/** What every phase handler works with: this host, the hook's environment and streams, and the shared steps. */
final class HookContext {
    final HostPaths paths;
    final HostConfig config;
    final Map<String, String> env;
    final Clock clock;
    final PrintStream out;
    final PrintStream err;
    final Detacher detacher;
    final IntFunction<QgaClient> agents;
    /** The proc file system the starting task is looked up in ({@code /proc}; a fake tree in tests). */
    Path procDir = Path.of("/proc");

    HookContext(HostPaths paths, HostConfig config, Map<String, String> env, Clock clock, PrintStream out,
                PrintStream err, Detacher detacher, IntFunction<QgaClient> agents) {
        this.paths = paths;
        this.config = config;
        this.env = env;
        this.clock = clock;
        this.out = out;
        this.err = err;
        this.detacher = detacher;
        this.agents = agents;
    }

    /**
     * Whether this start is the target side of a live migration: qemu-server's {@code vm_start_nolock}
     * sets {@code PVE_MIGRATED_FROM} to the source node for an intra-cluster migration and to undef
     * (the empty string in the child's environment) otherwise (docs/pve-facts.md §1.2).
     */
    boolean migrated() {
        String from = env.get("PVE_MIGRATED_FROM");
        return from != null && !from.isEmpty();
    }

    /** The source node for messages: a valid node name, or a placeholder for anything else. */
    String migratedFrom() {
        String from = env.get("PVE_MIGRATED_FROM");
        return NodeNames.isValid(from) ? from : "another node";
    }

    void audit(int vmid, String action, Map<String, Object> details) {
        try {
            new AuditLog(paths.auditLog(), clock).append("hook", vmid, action, details);
        } catch (RuntimeException | Error e) {
            // never the reason a phase fails
            err.println(Sanitizer.line("time-shift: VM " + vmid + ": warning: not recorded in the audit log: "
                    + (e instanceof TimeShiftException ? "" : e.getClass().getSimpleName() + ": ") + e.getMessage()));
        }
    }

    /** The state store of the hook: a damaged state file is set aside with one stderr line and an audit entry. */
    StateStore states() {
        return new StateStore(paths, clock, new PrintStreamLines(err), "hook");
    }

    /** Guest time at a stop no agent reading saw: the guest clock ran at host rate since the start. */
    static VmState.Stop estimatedStop(VmState.Run run, Instant now, Policy policy) {
        return new VmState.Stop(now, Instants.fromEpochNanos(Instants.toEpochNanos(now) + run.offsetNs()),
                "estimate", run.id(), policy.summary());
    }

    /**
     * What a phase writes to state. A named class rather than lambdas: the hook is a fresh JVM per
     * phase, and the first lambda costs it the whole LambdaMetafactory bootstrap.
     */
    static final class PhaseChange implements java.util.function.Consumer<VmState> {
        private final Phase phase;
        private final Instant at;
        private VmState.Stop stop;
        private Long workerPid;
        private boolean workerRequested;

        PhaseChange(Phase phase, Instant at) {
            this.phase = phase;
            this.at = at;
        }

        PhaseChange stop(VmState.Stop s) {
            this.stop = s;
            return this;
        }

        PhaseChange workerStarted(long pid) {
            this.workerPid = pid;
            return this;
        }

        PhaseChange workerRequested() {
            this.workerRequested = true;
            return this;
        }

        @Override
        public void accept(VmState s) {
            s.phase(phase.id(), at);
            if (stop != null) {
                s.lastStop(stop);
            }
            if (workerPid != null) {
                s.startApply(at, workerPid);
            } else if (workerRequested) {
                s.startApply(at, null);
            }
        }
    }
}

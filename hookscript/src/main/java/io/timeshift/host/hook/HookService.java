package io.timeshift.host.hook;

import io.timeshift.common.error.EnvironmentException;

import io.timeshift.host.apply.ClockMirror;
import io.timeshift.host.apply.Detacher;
import io.timeshift.host.apply.OffsetModel;
import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.env.HostConfig;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyParser;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.state.VmState;
import io.timeshift.host.time.GuestRtc;
import io.timeshift.common.time.Instants;
import io.timeshift.common.time.Whens;
import io.timeshift.pve.config.VmConfig;
import io.timeshift.pve.config.VmConfigParser;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.common.text.Sanitizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * What Proxmox runs for every phase of a VM with our hookscript. Exit policy (deliberate, because a
 * non-zero pre-start aborts the VM start):
 * <ul>
 *   <li>no policy: exit 0, print nothing (the snippet may be attached to VMs we do not manage);</li>
 *   <li>unknown phase: exit 0 with one warning line (a future Proxmox phase must never break a start);</li>
 *   <li>any failure: one line on stderr and exit 0, except pre-start when the policy says
 *       {@code onError: abort} (then the failure's exit code, and Proxmox does not start the VM);</li>
 *   <li>slow work (waiting for the agent, writing the VM config) happens in detached workers: the
 *       config lock is held during every phase (docs/pve-facts.md §1.2), so the hook never writes VM config.</li>
 * </ul>
 * The class only touches light classes (LightJson, the QGA client in pre-stop): the hook is a fresh JVM.
 */
public final class HookService {
    private final HostPaths paths;
    private final HostConfig config;
    private final Map<String, String> env;
    private final Clock clock;
    private final PrintStream out;
    private final PrintStream err;
    private final Detacher detacher;
    private final IntFunction<QgaClient> agents;
    private Path procDir = Path.of("/proc");

    public HookService(HostPaths paths, HostConfig config, Map<String, String> env, Clock clock, PrintStream out,
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

    /** Exit code asking the launcher to start {@code time-shift apply <vmid> --worker} detached. */
    public static final int DETACH_APPLY = 75;
    /** Exit code asking the launcher to start {@code time-shift rearm <vmid>} detached. */
    public static final int DETACH_REARM = 76;
    private int detachRequest;

    /** 0, or the DETACH_* code when the launcher must start a worker after this JVM exits. */
    public int detachRequest() {
        return detachRequest;
    }

    public int handle(int vmid, String phaseName) {
        Phase phase = Phase.parse(phaseName);
        PolicyStore policies = new PolicyStore(paths);
        Optional<String> text;
        try {
            text = policies.readText(vmid);
        } catch (TimeShiftException e) {
            err.println("time-shift: VM " + vmid + " " + phaseName + ": " + e.getMessage());
            return 0;
        }
        if (text.isEmpty()) {
            return 0;
        }
        if (phase == null) {
            err.println("time-shift: VM " + vmid + ": unknown hook phase '" + Sanitizer.value(phaseName)
                    + "' ignored (known: pre-start, post-start, pre-stop, post-stop)");
            return 0;
        }
        Policy policy;
        try {
            policy = PolicyParser.parse(text.get(), vmid, policies.file(vmid).toString());
        } catch (TimeShiftException e) {
            boolean abort = phase == Phase.PRE_START && PolicyParser.saysAbort(text.get());
            // Proxmox would have run the hookscript we replaced whatever our policy says: run it first
            int chained = runChain(vmid, phase, PolicyParser.chainOf(text.get()), abort);
            if (chained != 0 && phase == Phase.PRE_START) {
                audit(vmid, "hook-" + phase.id(), Map.of("result", "invalid-policy", "message", e.getMessage()));
                return chained;
            }
            err.println(Sanitizer.line("time-shift: VM " + vmid + " " + phase.id() + ": " + e.getMessage()
                    + (abort ? " (onError=abort: start refused; fix the file or run time-shift disable " + vmid + ")"
                    : "; the clock is not shifted (fix the file, or time-shift disable " + vmid + ")")));
            audit(vmid, "hook-" + phase.id(), Map.of("result", "invalid-policy", "message", e.getMessage()));
            return abort ? e.exitCode() : 0;
        }
        int chained = runChain(vmid, phase, policy.chain(), phase == Phase.PRE_START && policy.abortOnError());
        if (chained != 0 && phase == Phase.PRE_START) {
            return chained;
        }
        try {
            return switch (phase) {
                case PRE_START -> preStart(vmid, policy);
                case POST_START -> postStart(vmid, policy);
                case PRE_STOP -> preStop(vmid, policy);
                case POST_STOP -> postStop(vmid, policy);
            };
        } catch (RuntimeException | Error e) {
            // our typed failures, and also a bug of ours or an Error the JVM survives (stack overflow, out of
            // memory): none may block a start the policy lets go ahead
            String msg = e instanceof TimeShiftException ? e.getMessage()
                    : Sanitizer.line("internal error " + e.getClass().getSimpleName() + ": " + e.getMessage());
            // a migration target's pre-start never fails: the guest is already running on the source
            boolean abort = phase == Phase.PRE_START && policy.abortOnError() && !migrated();
            err.println(Sanitizer.line("time-shift: VM " + vmid + " " + phase.id() + ": " + msg
                    + (abort ? " (onError=abort: start refused)" : "")));
            audit(vmid, "hook-" + phase.id(), Map.of("result", "error", "message", msg));
            return !abort ? 0 : e instanceof TimeShiftException t ? t.exitCode() : TimeShiftException.ENVIRONMENT;
        }
    }

    /**
     * Whether this start is the target side of a live migration: qemu-server's {@code vm_start_nolock}
     * sets {@code PVE_MIGRATED_FROM} to the source node for an intra-cluster migration and to undef
     * (the empty string in the child's environment) otherwise (docs/pve-facts.md §1.2).
     */
    private boolean migrated() {
        String from = env.get("PVE_MIGRATED_FROM");
        return from != null && !from.isEmpty();
    }

    /** The source node for messages: a valid node name, or a placeholder for anything else. */
    private String migratedFrom() {
        String from = env.get("PVE_MIGRATED_FROM");
        return NodeNames.isValid(from) ? from : "another node";
    }

    /** The proc file system the starting task is looked up in ({@code /proc}; a fake tree in tests). */
    public HookService procDir(Path dir) {
        this.procDir = dir;
        return this;
    }

    private int preStart(int vmid, Policy policy) {
        Instant now = clock.instant();
        ClockMirror mirror = new ClockMirror(paths);
        ClockMirror.Entry mirrored = mirror.read(vmid);
        boolean migrated = migrated();
        boolean backup = false;
        String resume = null;
        // A migration target reads no config: it still lives under nodes/<source>/ until the migration
        // is done, and nothing in it changes this start (the guest keeps its running clock).
        if (!migrated) {
            VmConfig conf = VmConfigParser.parseWithoutDigest(vmid, paths.vmConf(vmid));
            backup = "backup".equals(conf.lock().orElse(null));
            resume = resumeKind(vmid, conf);
            if (!conf.agentEnabled()) {
                String msg = "the QEMU guest agent is not enabled in the VM config, so the clock cannot be set after boot"
                        + " (fix: qm set " + vmid + " --agent enabled=1, and install qemu-guest-agent in the guest)";
                if (policy.abortOnError()) {
                    throw new io.timeshift.common.error.EnvironmentException(msg);
                }
                err.println("time-shift: VM " + vmid + ": warning: " + msg);
            }
        }
        StartDecision start = new StartDecision(vmid, policy, now, mirrored, resume != null, backup, migrated);
        states().update(vmid, start); // decides from the state it reads under the lock
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
            details.put("migratedFrom", migratedFrom());
        }
        audit(vmid, "hook-pre-start", details);
        if (migrated) {
            out.println("time-shift: VM " + vmid + " migrated from " + migratedFrom()
                    + ": the guest keeps its clock (not re-applied)");
        } else {
            out.println("time-shift: VM " + vmid + " (" + policy.summary() + "): guest clock will be set to "
                    + Instants.iso(target) + " once its agent answers" + (backup ? " (backup start: guest runs after vzdump resumes it)" : ""));
        }
        return 0;
    }

    private int postStart(int vmid, Policy policy) {
        Instant now = clock.instant();
        StateStore states = states();
        if (migrated()) {
            states.update(vmid, new PhaseChange(Phase.POST_START, now));
            audit(vmid, "hook-post-start", Map.of("result", "skipped", "reason", "migrated",
                    "migratedFrom", migratedFrom()));
            return 0;
        }
        if (detacher.viaLauncher()) {
            // the shell launcher starts the worker after this JVM exits (exit code DETACH_APPLY): no
            // process spawning in Java and no second JVM competing with this one for the CPU
            states.update(vmid, new PhaseChange(Phase.POST_START, now).workerRequested());
            audit(vmid, "hook-post-start", Map.of("result", "worker-requested"));
            detachRequest = DETACH_APPLY;
            out.println("time-shift: VM " + vmid + ": applying the clock policy in the background (see: time-shift status "
                    + vmid + ")");
            return 0;
        }
        long pid;
        try {
            pid = detacher.spawn(List.of("apply", Integer.toString(vmid), "--worker"), paths.workerLog(vmid));
        } catch (IOException e) {
            throw new io.timeshift.common.error.EnvironmentException("cannot start the apply worker: " + e.getMessage()
                    + " (run time-shift apply " + vmid + " by hand)", e);
        }
        states.update(vmid, new PhaseChange(Phase.POST_START, now).workerStarted(pid));
        audit(vmid, "hook-post-start", Map.of("result", "worker-started", "workerPid", pid));
        out.println("time-shift: VM " + vmid + ": applying the clock policy in the background (worker pid " + pid
                + "; see: time-shift status " + vmid + ")");
        return 0;
    }

    private int preStop(int vmid, Policy policy) {
        Instant now = clock.instant();
        StateStore states = states();
        VmState cur = states.read(vmid);
        VmState.Run run = cur.run();
        VmState.Stop stop = null;
        String note = null;
        if (Files.exists(paths.qgaSocket(vmid)) && !config.preStopBudget().isZero()) {
            try {
                QgaClient.TimedReading r = agents.apply(vmid).withTimeout(config.preStopBudget())
                        .timedGetTime(new HostNanos(clock));
                stop = new VmState.Stop(Instants.fromEpochNanos(r.hostNanos()), Instants.fromEpochNanos(r.guestNanos()),
                        "agent", run == null ? null : run.id(), policy.summary());
            } catch (TimeShiftException e) {
                note = e.getMessage();
            }
        }
        if (stop == null && run != null) {
            stop = estimatedStop(run, now, policy);
        }
        VmState.Stop recorded = stop;
        states.update(vmid, new PhaseChange(Phase.PRE_STOP, now).stop(recorded));
        if (recorded != null) {
            new ClockMirror(paths).write(vmid, recorded);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("guestTime", recorded == null ? null : Instants.iso(recorded.guestTime()));
        details.put("source", recorded == null ? null : recorded.source());
        if (note != null) {
            details.put("agent", note);
        }
        audit(vmid, "hook-pre-stop", details);
        return 0;
    }

    private int postStop(int vmid, Policy policy) {
        Instant now = clock.instant();
        StopDecision decided = new StopDecision(policy, now);
        states().update(vmid, decided); // checked and marked under the lock: two cleanup paths may race
        if (decided.alreadyDone) {
            return 0; // post-stop for this run was handled already (legacy and new cleanup paths)
        }
        VmState.Stop stop = decided.stop;
        if (stop != null) {
            new ClockMirror(paths).write(vmid, stop);
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
            VmConfig conf = VmConfigParser.parseWithoutDigest(vmid, paths.vmConf(vmid));
            current = conf.pending().getOrDefault("startdate", conf.startdate().orElse(null));
            // a guest whose RTC runs in local time reads startdate in its zone (docs/pve-rtc.md); its startdate
            // is computed by the detached worker: a zone's rules cost a fresh JVM ~30 ms and load lambdas
            localRtc = GuestRtc.localTime(conf.main(), conf.pending());
        } catch (TimeShiftException e) {
            // conf gone (VM destroyed or moved): nothing to re-arm
            details.put("rearm", "skipped: " + e.getMessage());
            audit(vmid, "hook-post-stop", details);
            return 0;
        }
        if (localRtc || (policy.mode() != Mode.FIXED && !startdate.equals(current))) {
            String shown = localRtc ? "in the guest's local time (the worker computes it)" : startdate;
            if (detacher.viaLauncher()) {
                details.put("rearm", shown);
                detachRequest = DETACH_REARM;
            } else try {
                List<String> args = localRtc ? List.of("rearm", Integer.toString(vmid))
                        : List.of("rearm", Integer.toString(vmid), startdate);
                long pid = detacher.spawn(args, paths.workerLog(vmid));
                details.put("rearm", shown);
                details.put("rearmPid", pid);
            } catch (IOException e) {
                details.put("rearm", "failed: " + e.getMessage());
                err.println("time-shift: VM " + vmid + ": cannot start the startdate worker: " + e.getMessage());
            }
        }
        audit(vmid, "hook-post-stop", details);
        return 0;
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
            PveTask task = PveTask.ofAncestors(procDir);
            if (task != null && task.isRollbackOf(vmid)) {
                return "rollback";
            }
        }
        return null;
    }

    /**
     * Runs the hookscript that was attached before ours ({@code enable --chain}) with the same arguments,
     * as Proxmox would have run it. Its own non-zero pre-start refuses the start (Proxmox's
     * {@code exec_hookscript} dies for pre-start only). A chained script that is missing or cannot run is
     * our environment's problem: a warning, or exit 3 in pre-start when the policy says
     * {@code onError: abort} (docs/contract.md "Chained hookscript").
     *
     * @param chain the chained volume id, or null
     * @return 0 to go on, or the exit code that refuses the start
     */
    private int runChain(int vmid, Phase phase, String chain, boolean abort) {
        if (chain == null) {
            return 0;
        }
        Path script = SnippetPaths.resolve(chain, paths.pveDir());
        String problem = null;
        if (script == null || !Files.isRegularFile(script) || !Files.isExecutable(script)) {
            problem = "not found or not executable" + (script == null ? "" : " at " + script);
        } else {
            try {
                Process p = new ProcessBuilder(script.toString(), Integer.toString(vmid), phase.id()).inheritIO().start();
                int rc = p.waitFor();
                if (rc != 0 && phase == Phase.PRE_START) {
                    err.println(Sanitizer.line("time-shift: VM " + vmid + ": chained hookscript " + chain
                            + " failed pre-start (exit " + rc + "); start refused as it would have been without time-shift"));
                    return rc;
                }
                return 0;
            } catch (IOException e) {
                problem = "cannot be run: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problem = "was interrupted";
            }
        }
        err.println(Sanitizer.line("time-shift: VM " + vmid + " " + phase.id() + ": chained hookscript " + chain + " "
                + problem + (abort ? " (onError=abort: start refused; fix the snippet or run time-shift disable " + vmid + ")"
                : "; going on without it (fix the snippet, or re-run time-shift enable)")));
        return abort ? TimeShiftException.ENVIRONMENT : 0;
    }

    /** Guest time at a stop no agent reading saw: the guest clock ran at host rate since the start. */
    private static VmState.Stop estimatedStop(VmState.Run run, Instant now, Policy policy) {
        return new VmState.Stop(now, Instants.fromEpochNanos(Instants.toEpochNanos(now) + run.offsetNs()),
                "estimate", run.id(), policy.summary());
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
                stop = estimatedStop(run, now, policy); // guest powered itself off, crashed or hibernated
            }
            cur.phase(Phase.POST_STOP.id(), now);
            if (stop != null) {
                cur.lastStop(stop);
            }
            cur.postStopDoneFor(runId);
        }
    }

    /**
     * What a phase writes to state. A named class rather than lambdas: the hook is a fresh JVM per
     * phase, and the first lambda costs it the whole LambdaMetafactory bootstrap.
     */
    private static final class PhaseChange implements java.util.function.Consumer<VmState> {
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

    private void audit(int vmid, String action, Map<String, Object> details) {
        try {
            new AuditLog(paths.auditLog(), clock).append("hook", vmid, action, details);
        } catch (RuntimeException | Error e) {
            // never the reason a phase fails
            err.println(Sanitizer.line("time-shift: VM " + vmid + ": warning: not recorded in the audit log: "
                    + (e instanceof TimeShiftException ? "" : e.getClass().getSimpleName() + ": ") + e.getMessage()));
        }
    }

    /** The state store of the hook: a damaged state file is set aside with one stderr line and an audit entry. */
    private StateStore states() {
        return new StateStore(paths, clock, err, "hook");
    }
}

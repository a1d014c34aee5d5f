package io.timeshift.host.apply;

import io.timeshift.common.time.Sleeper;

import io.timeshift.common.policy.GuestPolicy;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.env.HostConfig;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.io.LogLines;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.state.VmState;
import io.timeshift.host.time.GuestRtc;
import io.timeshift.common.time.Instants;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.pve.qga.AgentErrorException;
import io.timeshift.pve.qga.AgentErrorKind;
import io.timeshift.pve.qga.AgentException;
import io.timeshift.pve.qga.AgentNotAnsweringException;
import io.timeshift.pve.qga.AgentProtocolException;
import io.timeshift.pve.qga.GuestTimezone;
import io.timeshift.pve.qga.OsInfo;
import io.timeshift.common.text.Sanitizer;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.pve.qga.VmNotRunningException;
import io.timeshift.common.time.Monotonic;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Sets a running VM's guest clock to its policy and proves it: waits for the agent (bounded retry with
 * backoff), turns off guest time sync unless the policy keeps it, {@code guest-set-time} to
 * {@code host now + offset}, reads it back with {@code guest-get-time}, writes state, one audit line and
 * the guest's copy of the policy, then watches the clock for a hold period and re-applies once if
 * something moves it (systemd's build-time epoch bump, an NTP step). Runs detached from post-start, or
 * in the foreground as {@code time-shift apply <vmid>}. One worker per VM (flock).
 */
public final class ApplyWorker {
    private final HostPaths paths;
    private final HostConfig config;
    private final Clock clock;
    private final Monotonic mono;
    private final IntFunction<QgaClient> agents;
    private final Sleeper sleeper;
    private final LogLines log;
    private final String actor;
    private Listener listener = (vmid, policy, rec) -> { };

    /** Told the outcome of every apply (ok or failed), e.g. to keep the VM's Notes line current. */
    @FunctionalInterface
    public interface Listener {
        void applied(int vmid, Policy policy, ApplyRecord lastApply);
    }

    public ApplyWorker withListener(Listener l) {
        this.listener = l;
        return this;
    }

    public ApplyWorker(HostPaths paths, HostConfig config, Clock clock, Monotonic mono, IntFunction<QgaClient> agents,
                       Sleeper sleeper, LogLines log, String actor) {
        this.paths = paths;
        this.config = config;
        this.clock = clock;
        this.mono = mono;
        this.agents = agents;
        this.sleeper = sleeper;
        this.log = log;
        this.actor = actor;
    }

    /**
     * Applies the policy and returns the record, as also written to state {@code lastApply} and audited; a failed
     * apply is recorded and audited the same way, then thrown (exit 3, or 2 for invalid input).
     */
    public ApplyRecord apply(int vmid, boolean fromHook, boolean hold) {
        Policy policy = new PolicyStore(paths).read(vmid).orElseThrow(() -> new InvalidInputException(
                "VM " + vmid + " has no time-shift policy (" + paths.policyFile(vmid) + "); enable it first: time-shift enable "
                        + vmid + " --date <when>"));
        try {
            Files.createDirectories(paths.stateDir());
        } catch (IOException e) {
            throw new EnvironmentException("cannot create " + paths.stateDir() + ": " + e.getMessage(), e);
        }
        try (FileChannel ch = FileChannel.open(paths.workerLock(vmid), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw new EnvironmentException("another apply for VM " + vmid + " is running (lock " + paths.workerLock(vmid)
                        + "); wait for it or see time-shift status " + vmid);
            }
            try {
                return applyLocked(vmid, policy, fromHook, hold);
            } finally {
                lock.release();
            }
        } catch (IOException e) {
            throw new EnvironmentException("cannot lock " + paths.workerLock(vmid) + ": " + e.getMessage(), e);
        }
    }

    private ApplyRecord applyLocked(int vmid, Policy policy, boolean fromHook, boolean hold) {
        StateStore states = new StateStore(paths, clock, log, actor); // a damaged state is set aside, said in the worker log
        Instant startedAt = clock.instant();
        long pid = ProcessHandle.current().pid();
        VmState current = states.read(vmid);
        VmState.Run run = current.run();
        long offsetNs;
        String reason;
        if (run != null && (fromHook || policy.summary().equals(run.policy()))) {
            offsetNs = run.offsetNs();
            reason = run.reason();
        } else {
            // manual apply with no run, or the policy changed since this start: the clock (re)starts now
            OffsetModel.Decision d = OffsetModel.decide(policy, startedAt, current.lastStop(), null, false);
            offsetNs = d.offsetNs();
            reason = OffsetModel.Reason.MANUAL.id;
            run = new VmState.Run(Instants.iso(startedAt), startedAt, d.offsetNs(), reason, false, policy.summary());
            new ClockMirror(paths).writeRun(vmid, run); // a migration target must find this run's offset
        }
        VmState.Run thisRun = run;
        states.update(vmid, s -> {
            s.run(thisRun);
            s.startApply(startedAt, pid);
        });
        log("VM " + vmid + ": applying " + policy.summary() + " (offset " + VmState.human(offsetNs) + ", " + reason + ")");

        Progress p = new Progress(vmid, states, ApplyRecord.started(startedAt, pid));
        QgaClient agent = agents.apply(vmid);
        try {
            long waitStart = mono.nanoTime();
            waitForAgent(vmid, agent);
            long agentUp = mono.nanoTime();
            long agentWaitMs = (agentUp - waitStart) / 1_000_000;
            p.rec = p.rec.withTiming(new ApplyRecord.Timing(agentWaitMs, null, null));
            // The target is taken after the agent answered this connection's sync (QgaClient#setTimeNanos(
            // LongSupplier)); if the guest is still off by more than FINE (a slow first exchange, a busy
            // guest), set again, three tries at most.
            Measurement m = setAndVerify(vmid, agent, offsetNs);
            for (int i = 1; i < 3 && Math.abs(m.errorNs) > FINE_NS; i++) {
                m = setAndVerify(vmid, agent, offsetNs);
            }
            double applyMs = (mono.nanoTime() - agentUp) / 1e6;
            p.rec = p.rec.withTiming(new ApplyRecord.Timing(agentWaitMs, m.attempt, round(applyMs))).withReading(m.reading());
            if (Math.abs(m.errorNs) > policy.tolerance().toNanos()) {
                throw new EnvironmentException("VM " + vmid + ": guest clock is " + ms(m.errorNs) + " ms from the target after"
                        + " three attempts (tolerance " + policy.tolerance() + "); something in the guest moves it");
            }
            p.rec = p.rec.withOutcome(new ApplyRecord.Outcome(clock.instant(), ApplyRecord.Result.OK,
                    "guest clock set to " + m.guest + " (error " + ms(m.errorNs) + " ms)" + (m.note == null ? "" : "; " + m.note)));
            p.save();
            log("VM " + vmid + ": " + p.rec.message() + "; agent after " + agentWaitMs + " ms, apply " + round(applyMs) + " ms");
            OsInfo os = osInfo(agent); // after the clock: guest-set-time is the same call on Linux and Windows
            if (os != null) {
                p.rec = p.rec.withGuest(p.rec.guest().withOs(Sanitizer.value(os.prettyName() != null ? os.prettyName() : os.id())));
            }
            String zone = learnGuestZone(vmid, agent, states);
            p.rec = p.rec.withGuest(p.rec.guest().withZone(zone));
            // time sync goes off right after the clock is verified (keeps the apply itself short);
            // an NTP step in between is what the hold period catches and corrects
            String timeSync;
            if (!policy.keepTimeSync()) {
                TimeSyncManager.Report r = new TimeSyncManager(agent).disable(os);
                timeSync = r.summary();
                if (!r.disabled().isEmpty()) {
                    states.update(vmid, s -> {
                        List<String> all = new ArrayList<>(s.timeSyncDisabled());
                        for (String u : r.disabled()) {
                            if (!all.contains(u)) {
                                all.add(u);
                            }
                        }
                        s.timeSyncDisabled(all);
                    });
                }
            } else {
                timeSync = "kept (policy timeSync=keep)";
            }
            p.rec = p.rec.withGuest(p.rec.guest().withTimeSync(timeSync));
            p.save();
            String guestPolicy = writeGuestPolicy(agent, policy, offsetNs, os, p.rec);
            if (guestPolicy != null) {
                p.rec = p.rec.withGuest(p.rec.guest().withPolicy(guestPolicy));
            }
            p.save();
            if (hold) {
                holdClock(vmid, agent, policy, offsetNs, p);
            }
            audit(vmid, p.rec);
            tell(vmid, policy, p.rec);
            return p.rec;
        } catch (RuntimeException e) {
            // typed failures, and a bug of ours too: either way the run is recorded as failed and audited
            String msg = e instanceof VmNotRunningException
                    ? "VM " + vmid + " stopped (or its agent socket vanished) during apply: " + e.getMessage()
                    : e instanceof TimeShiftException ? e.getMessage()
                    : Sanitizer.line("VM " + vmid + ": internal error " + e.getClass().getSimpleName() + ": " + e.getMessage());
            p.rec = p.rec.withOutcome(new ApplyRecord.Outcome(clock.instant(), ApplyRecord.Result.FAILED, msg));
            p.save();
            audit(vmid, p.rec);
            tell(vmid, policy, p.rec);
            log("VM " + vmid + ": apply failed: " + msg);
            throw e instanceof EnvironmentException || e instanceof InvalidInputException ? e
                    : new EnvironmentException(msg, e);
        }
    }

    /**
     * The record of the apply in progress. Every change is kept here at once, so that a failure records all the
     * apply reached; {@link #save} writes it to state {@code lastApply}.
     */
    private static final class Progress {
        private final int vmid;
        private final StateStore states;
        ApplyRecord rec;

        Progress(int vmid, StateStore states, ApplyRecord rec) {
            this.vmid = vmid;
            this.states = states;
            this.rec = rec;
        }

        void save() {
            Map<String, Object> json = rec.toJson();
            states.update(vmid, s -> s.finishApply(json));
        }
    }

    private record Measurement(Instant guest, long errorNs, String note, int attempt) {
        ApplyRecord.Reading reading() {
            return new ApplyRecord.Reading(guest, round(errorNs / 1e6));
        }
    }

    /** Aim for the guest clock: well inside the must-reach 10 ms; the policy tolerance decides failure. */
    static final long FINE_NS = 3_000_000L;
    private int attempts;

    /** guest-set-time to host now + offset, then guest-get-time; error = guest − (host mid-request + offset). */
    private Measurement setAndVerify(int vmid, QgaClient agent, long offsetNs) {
        String note = null;
        try {
            agent.setTimeNanos(() -> Instants.toEpochNanos(clock.instant()) + offsetNs);
        } catch (AgentErrorException e) {
            AgentErrorKind kind = e.kind(); // docs/qga-errors.md
            if (kind == AgentErrorKind.HARDWARE_CLOCK) {
                // qemu-ga sets the system time first and only then fails in hwclock -w (docs/pve-facts.md §4.2)
                note = "guest could not write its RTC (" + Sanitizer.value(e.desc()) + "); a guest reboot will lose the shift";
            } else if (kind == AgentErrorKind.UNSUPPORTED) {
                note = "guest-set-time unsupported (no /sbin/hwclock in the guest); used date -s, second precision";
                setWithDate(agent, offsetNs);
            } else {
                throw e;
            }
        }
        QgaClient.TimedReading r = agent.timedGetTime(this::hostNanos);
        long expected = r.hostNanos() + offsetNs;
        return new Measurement(Instants.fromEpochNanos(r.guestNanos()), r.guestNanos() - expected, note, ++attempts);
    }

    /** Fallback without hwclock: {@code date -u -s @<s>} issued at the target's second boundary. */
    private void setWithDate(QgaClient agent, long offsetNs) {
        long target = Instants.toEpochNanos(clock.instant()) + offsetNs;
        long toNextSecond = 1_000_000_000L - Math.floorMod(target, 1_000_000_000L);
        try {
            sleeper.sleep(Duration.ofNanos(toNextSecond));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        long sec = Math.floorDiv(Instants.toEpochNanos(clock.instant()) + offsetNs + 500_000_000L, 1_000_000_000L);
        agent.run(Duration.ofSeconds(10), "date", "-u", "-s", "@" + sec);
    }

    private void waitForAgent(int vmid, QgaClient agent) {
        QgaClient quick = agent.withTimeout(config.agentTimeout());
        RetryPolicy<Object> retry = RetryPolicy.builder()
                .handle(AgentNotAnsweringException.class, AgentProtocolException.class)
                .abortOn(VmNotRunningException.class)
                .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .withMaxDuration(config.agentWait())
                .withMaxRetries(-1)
                .build();
        try {
            Failsafe.with(retry).run(quick::ping);
        } catch (FailsafeException e) {
            throw new EnvironmentException("VM " + vmid + ": " + e.getMessage(), e);
        } catch (AgentNotAnsweringException | AgentProtocolException e) {
            throw new AgentNotAnsweringException(vmid, "VM " + vmid + ": the guest agent did not answer within "
                    + human(config.agentWait()) + "; is qemu-guest-agent installed and running in the guest?"
                    + " (the VM keeps running unshifted; retry with: time-shift apply " + vmid + ")", e);
        }
    }

    /**
     * {@code guest-get-timezone} at every apply, kept in state {@code guestZone}: the offset a guest whose RTC
     * runs in local time reads its {@code startdate} in (docs/pve-rtc.md). Best effort: an old agent or a
     * hostile reply is noted in the apply record and changes nothing else. Returns that note.
     */
    private String learnGuestZone(int vmid, QgaClient agent, StateStore states) {
        GuestTimezone tz;
        try {
            tz = agent.timezone();
        } catch (AgentException e) {
            return "not learned: " + e.getMessage();
        }
        GuestRtc.Learned learned = new GuestRtc.Learned(tz.offsetSeconds(), tz.zone(), clock.instant());
        states.update(vmid, s -> s.guestZone(learned));
        return ZoneOffset.ofTotalSeconds(tz.offsetSeconds()).getId() + (tz.zone() == null ? "" : " " + tz.zone());
    }

    private OsInfo osInfo(QgaClient agent) {
        try {
            return agent.osInfo();
        } catch (AgentErrorException e) {
            return null; // old agents lack guest-get-osinfo: assume Linux
        }
    }

    /**
     * The guest's copy of the policy, read by time-shift-guest verify/hold. Best effort: returns the file, or why
     * it was not written; null for a Windows guest (no such file there).
     */
    private static String writeGuestPolicy(QgaClient agent, Policy policy, long offsetNs, OsInfo os, ApplyRecord rec) {
        if (os != null && os.isWindows()) {
            return null;
        }
        Map<String, Object> json = rec.toJson();
        byte[] g = GuestPolicy.toJson(policy.toJson(), offsetNs / 1_000_000, json.get("guestTimeAfter"), json.get("finishedAt"));
        try {
            agent.run(Duration.ofSeconds(10), "mkdir", "-p", GuestPolicy.GUEST_DIR);
            agent.writeFile(GuestPolicy.FILE, g);
            return GuestPolicy.FILE;
        } catch (AgentException e) {
            return "not written: " + e.getMessage();
        }
    }

    /** Watches the clock for the hold period; re-applies once if it moves beyond tolerance. */
    private void holdClock(int vmid, QgaClient agent, Policy policy, long offsetNs, Progress p) {
        long end = mono.nanoTime() + config.applyHold().toNanos();
        int reapplied = 0;
        QgaClient quick = agent.withTimeout(config.agentTimeout());
        while (mono.nanoTime() < end) {
            try {
                sleeper.sleep(config.holdInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            QgaClient.TimedReading r;
            try {
                r = quick.timedGetTime(this::hostNanos);
            } catch (VmNotRunningException e) {
                p.rec = p.rec.withHold(p.rec.hold().withStopped("VM stopped during the hold period"));
                break;
            } catch (AgentException e) {
                continue; // guest rebooting or busy: look again
            }
            long err = r.offsetNanos() - offsetNs;
            if (Math.abs(err) <= policy.tolerance().toNanos()) {
                continue;
            }
            String jump = "guest clock jumped by " + String.format(java.util.Locale.ROOT, "%+.3f", err / 1e9) + " s after apply"
                    + " (systemd epoch bump or NTP step)";
            if (reapplied >= 1) {
                p.rec = p.rec.withOutcome(new ApplyRecord.Outcome(p.rec.outcome().finishedAt(), ApplyRecord.Result.FAILED,
                        jump + " again after re-applying; something in the guest keeps setting the clock"
                                + " (check NTP/chrony/timesyncd, or install time-shift-guest)"));
                log("VM " + vmid + ": " + p.rec.message());
                break;
            }
            Measurement m = setAndVerify(vmid, agent, offsetNs);
            reapplied++;
            p.rec = p.rec.withHold(p.rec.hold().withReapplied(reapplied)).withReading(m.reading())
                    .withOutcome(p.rec.outcome().withMessage("guest clock set to " + m.guest + " (error " + ms(m.errorNs)
                            + " ms); re-applied once: " + jump));
            log("VM " + vmid + ": " + p.rec.message());
            p.save();
        }
        p.rec = p.rec.withHold(p.rec.hold().withEndedAt(clock.instant()));
        p.save();
    }

    private void tell(int vmid, Policy policy, ApplyRecord rec) {
        try {
            listener.applied(vmid, policy, rec);
        } catch (RuntimeException e) {
            log("VM " + vmid + ": warning: " + e.getMessage()); // the clock is what matters; Notes are a view
        }
    }

    private long hostNanos() {
        return Instants.toEpochNanos(clock.instant());
    }

    private void audit(int vmid, ApplyRecord rec) {
        try {
            new AuditLog(paths.auditLog(), clock).append(actor, vmid, "apply", rec.toAuditDetails());
        } catch (TimeShiftException e) {
            log("warning: " + e.getMessage());
        }
    }

    /** One line of the worker log, stamped with the host time. */
    private void log(String line) {
        log.line(clock.instant() + " " + line);
    }

    private static String ms(long ns) {
        return String.format(java.util.Locale.ROOT, "%.3f", ns / 1e6);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000 || ms % 1000 != 0) {
            return ms + " ms";
        }
        long s = ms / 1000;
        return s % 60 == 0 ? (s / 60) + " min" : s + " s";
    }

}

package io.timeshift.host.admin;

import io.timeshift.common.policy.GuestPolicy;

import io.timeshift.common.text.Sanitizer;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.timeshift.host.apply.TimeSyncManager;
import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.env.LocalNode;
import io.timeshift.host.env.Pmxcfs;
import io.timeshift.host.io.AtomicFiles;
import io.timeshift.host.io.Json;
import io.timeshift.host.notes.ArgvText;
import io.timeshift.host.notes.NotesLine;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyParser;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.state.StateStore;
import io.timeshift.common.time.Instants;
import io.timeshift.host.vmconfig.ConfigChange;
import io.timeshift.host.vmconfig.ConfigEdits;
import io.timeshift.host.vmconfig.TextDiff;
import io.timeshift.host.vmconfig.VmLocator;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.VmConfigView;
import io.timeshift.pve.api.retry.RetryPresets;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.pve.qga.AgentErrorException;
import io.timeshift.pve.qga.AgentErrorKind;
import io.timeshift.pve.qga.ExecResult;
import io.timeshift.pve.qga.OsInfo;
import io.timeshift.pve.qga.QgaClient;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * {@code time-shift disable}: restores what {@code enable} replaced ({@code original}: hookscript or the
 * chained one, startdate, agent when we turned it on), removes the tag, the Notes line, the policy and
 * its clock mirror in ONE config update checked against the digest; then, when the VM runs, turns the
 * guest's time sync back on and sets its clock to real time through the agent (unless
 * {@code --keep-clock}). Idempotent: without a policy and without our traces in the config there is
 * nothing to do (exit 0).
 *
 * <p>In three steps, each returning a typed value the cli shows: {@link #readPolicy}, {@link #preview}
 * (what will change), then, once the admin confirmed, {@link #disable} (what was done) or
 * {@link #removeOrphan}. Events that must be seen while it runs go to a {@link Listener}.
 */
public final class DisableService {
    /** What {@link #disable} reports as it happens (each before the step after it starts). */
    public interface Listener extends Progress {
        /** The isolation in VM {@code vmid}'s firewall is undone ({@code done}), before the rest is. */
        void firewallRestored(int vmid, Isolation.Restored done);

        /** The config side is committed: the policy is gone and the config update (if any) made. */
        void disabled(int vmid, boolean configRestored);

        /** An apply worker of VM {@code vmid} holds its lock: disable waits for it, at most {@code upTo}. */
        void waitingForWorker(int vmid, Duration upTo);
    }

    private final HostPaths paths;
    private final Map<String, String> env;
    private final Clock clock;
    private final Supplier<PveClient> pve;
    private final IntFunction<QgaClient> agents;
    private final Duration workerWait;

    public DisableService(HostPaths paths, Map<String, String> env, Clock clock, Supplier<PveClient> pve,
                          IntFunction<QgaClient> agents, Duration workerWait) {
        this.paths = paths;
        this.env = env;
        this.clock = clock;
        this.pve = pve;
        this.agents = agents;
        this.workerWait = workerWait;
    }

    /**
     * VM {@code vmid}'s policy, read leniently: one that fails validation still says what enable replaced
     * when its JSON can be read ({@link DisablePreview.PolicyRead#invalid} says why it is invalid).
     */
    public DisablePreview.PolicyRead readPolicy(int vmid) {
        PolicyStore store = new PolicyStore(paths);
        Path file = store.file(vmid);
        Optional<String> text = store.readText(vmid);
        if (text.isEmpty()) {
            return new DisablePreview.PolicyRead(vmid, file, null, null, null, null);
        }
        try {
            Policy p = PolicyParser.parse(text.get(), vmid, file.toString());
            return new DisablePreview.PolicyRead(vmid, file, text.get(), p.original(), p.chain(), null);
        } catch (InvalidInputException e) {
            Lenient l = lenient(text.get());
            return new DisablePreview.PolicyRead(vmid, file, text.get(), l.original, l.chain, e.getMessage());
        }
    }

    /**
     * What disabling will change, read from the VM's config, its state and the policy ({@code policy},
     * from {@link #readPolicy}); changes nothing.
     *
     * @throws EnvironmentException (exit 3) when there is a policy to remove and /etc/pve is read-only
     */
    public DisablePreview preview(DisablePreview.PolicyRead policy, boolean keepClock) {
        int vmid = policy.vmid();
        Policy.Original original = policy.original();
        String chain = policy.chain();
        boolean hasPolicy = policy.exists();
        String node = LocalNode.name(paths.pveDir());
        try (PveClient client = pve.get()) {
            VmConfigView conf = VmLocator.config(client, node, vmid, "disable " + vmid, true);
            if (conf == null) {
                if (!hasPolicy) {
                    return new DisablePreview.NothingToDo(vmid, policy);
                }
                return new DisablePreview.Orphan(vmid, policy);
            }
            ConfigChange change = new ConfigChange(conf);
            String currentHook = conf.hookscript().orElse(null);
            String note = null;
            if (ConfigEdits.isOurs(currentHook)) {
                String restore = chain != null ? chain : original == null ? null : original.hookscript();
                change.set("hookscript", ConfigEdits.isOurs(restore) ? null : restore);
            } else if (currentHook != null && hasPolicy) {
                note = "hookscript " + currentHook + " is not ours (changed since enable); left as is";
            }
            if (original != null) {
                change.set("startdate", original.startdate());
                String agentNow = conf.agent().orElse(null);
                if (!ConfigEdits.agentEnabled(original.agent()) && ConfigEdits.agentEnabled(agentNow)) {
                    change.set("agent", original.agent());
                }
            } else if (conf.startdate().isPresent() && (ConfigEdits.isOurs(currentHook) || hasPolicy)) {
                note = "startdate " + conf.startdate().get() + " left as is (its value before enable is unknown);"
                        + " reset it with: qm set " + vmid + " --delete startdate";
            }
            Map<String, Object> firewall = original == null ? null : original.firewall();
            if (firewall != null) {
                Isolation.restoreNics(change, conf, firewall); // isolation's firewall=1 on the NICs goes in the same update
            }
            change.set("tags", ConfigEdits.withoutTag(conf.get("tags").orElse(null)));
            String description = NotesLine.remove(conf.description().orElse(""));
            ArgvText.requirePasses(vmid, description);
            change.set("description", description);

            if (!hasPolicy && change.isEmpty()) {
                return new DisablePreview.NothingToDo(vmid, policy);
            }
            boolean running = client.node(node).qemu(vmid).status().running();
            if (hasPolicy) {
                Pmxcfs.requireWritable(paths.policyDir(), "nothing was changed");
            }
            List<String> units = new StateStore(paths).read(vmid).timeSyncDisabled();
            return new DisablePreview.Changes(policy, conf.name().orElse(null), node, running, conf.digest(), note,
                    firewall == null ? null : Isolation.undo(vmid, firewall),
                    hasPolicy ? TextDiff.lines(policy.text(), "") : List.of(), units, keepClock, change, firewall);
        }
    }

    /**
     * Makes the changes {@link #preview} showed (after the admin confirmed them): the firewall first (undoing
     * isolation is idempotent, and the policy still records it when a later step fails), then the policy
     * and clock mirror (put back on failure), then the one config update, which commits; then the guest.
     *
     * @throws TimeShiftException when the config side failed (rolled back, {@link Progress#rolledBack})
     */
    public DisableResult disable(DisablePreview.Changes p, Listener listener) {
        int vmid = p.vmid();
        String node = p.node();
        ConfigChange change = p.change;
        Map<String, Object> firewall = p.firewall;
        boolean hasPolicy = p.policy().exists();
        List<String> units = p.units();
        try (PveClient client = pve.get()) {
            Isolation.Restored restored = null;
            if (firewall != null) {
                // first, and idempotent: on a later failure the policy still records it, and disable runs again
                restored = Isolation.restoreFirewall(client, node, vmid, firewall);
                listener.firewallRestored(vmid, restored);
            }
            // ---- change: files first (undoable), the config update commits
            Deque<EnableService.Undo> undo = new ArrayDeque<>();
            try {
                if (hasPolicy) {
                    removeWithUndo(p.policy().file(), p.policy().text().getBytes(StandardCharsets.UTF_8), undo);
                    removeWithUndo(paths.clockMirror(vmid), undo);
                }
                if (!change.isEmpty()) {
                    client.node(node).qemu(vmid).updateConfig(change.update());
                }
            } catch (RuntimeException e) {
                Rollback.Failed f = Rollback.run(vmid, undo, e, firewall == null ? null
                        : "the isolation's firewall entries are removed (shown above) and stay so; the policy still records"
                        + " them, so time-shift disable " + vmid + " can run again");
                for (String step : f.rolledBack()) {
                    listener.rolledBack(step);
                }
                throw f.error();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("config", new LinkedHashMap<>(change.changes()));
            details.put("policyRemoved", hasPolicy);
            if (firewall != null) {
                details.put("firewallRestored", firewall);
            }
            details.put("running", p.running());
            listener.disabled(vmid, !change.isEmpty());
            DisableResult.Guest guest;
            if (p.running() && !p.keepClock()) {
                try {
                    DisableResult.Reset reset = resetGuest(vmid, units, listener);
                    guest = reset;
                    details.put("guest", reset.summary());
                } catch (TimeShiftException e) {
                    guest = new DisableResult.ResetFailed(e.getMessage());
                    details.put("guest", "failed: " + e.getMessage());
                }
            } else if (p.running()) {
                guest = new DisableResult.Kept();
                details.put("guest", "kept (--keep-clock)");
            } else {
                guest = new DisableResult.Stopped();
            }
            List<String> warnings = new ArrayList<>();
            audit(vmid, "disable", details, warnings);
            return new DisableResult(vmid, restored, new LinkedHashMap<>(change.changes()), hasPolicy, p.running(), guest,
                    units, warnings);
        }
    }

    /** Re-enables the guest's time sync and sets its clock to real time, holding the VM's worker lock. */
    private DisableResult.Reset resetGuest(int vmid, List<String> units, Listener listener) {
        try {
            Files.createDirectories(paths.stateDir());
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot create", paths.stateDir(), e), e);
        }
        try (FileChannel ch = FileChannel.open(paths.workerLock(vmid), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = waitForWorker(vmid, ch, listener);
            try {
                QgaClient agent = agents.apply(vmid);
                OsInfo os;
                try {
                    os = agent.osInfo();
                } catch (AgentErrorException e) {
                    os = null;
                }
                // first the guest's copy of the policy: time-shift-guest-hold.service would turn time sync off again at boot
                String guestPolicy = "";
                if (os == null || !os.isWindows()) {
                    try {
                        ExecResult rm = agent.run(Duration.ofSeconds(10), "rm", "-f", GuestPolicy.FILE);
                        guestPolicy = rm.ok() ? "removed " + GuestPolicy.FILE
                                : "could not remove " + GuestPolicy.FILE + " (exit " + rm.exitCode() + ")";
                    } catch (AgentErrorException e) {
                        guestPolicy = "could not remove " + GuestPolicy.FILE + " (" + Sanitizer.value(e.desc()) + ")";
                    }
                }
                TimeSyncManager.Report enabled = new TimeSyncManager(agent).enable(os, units);
                if (!units.isEmpty() && !enabled.enabled().isEmpty()) {
                    new StateStore(paths).update(vmid, s -> s.timeSyncDisabled(List.of()));
                }
                String rtc = null;
                try {
                    agent.setTimeNanos(() -> Instants.toEpochNanos(clock.instant()));
                } catch (AgentErrorException e) {
                    if (e.kind() != AgentErrorKind.HARDWARE_CLOCK) {
                        throw e;
                    }
                    rtc = Sanitizer.value(e.desc());
                }
                QgaClient.TimedReading r = agent.timedGetTime(() -> Instants.toEpochNanos(clock.instant()));
                return new DisableResult.Reset(guestPolicy, enabled.summary(), Instants.fromEpochNanos(r.guestNanos()),
                        r.offsetNanos(), rtc);
            } finally {
                if (lock != null) {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot lock", paths.workerLock(vmid), e), e);
        }
    }

    /**
     * An apply worker in its hold period would put the shift back: wait for it, polling its lock under
     * {@link RetryPresets#pollLocal} (0.2 s backing off to 1 s) for at most {@code workerWait}.
     */
    private FileLock waitForWorker(int vmid, FileChannel ch, Listener listener) throws IOException {
        FileLock lock = ch.tryLock();
        if (lock != null) {
            return lock;
        }
        listener.waitingForWorker(vmid, workerWait);
        RetryPolicy<FileLock> poll = RetryPresets.pollLocal("worker lock of VM " + vmid, l -> l == null,
                RetryPresets.pollLocalSettings(workerWait));
        try {
            lock = Failsafe.with(poll).get(ch::tryLock);
        } catch (FailsafeException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new EnvironmentException("interrupted while waiting for the apply worker of VM " + vmid, e);
            }
            throw e;
        }
        if (lock == null) {
            throw new EnvironmentException("an apply worker for VM " + vmid + " still runs (lock " + paths.workerLock(vmid)
                    + "); run time-shift disable " + vmid + " again when it has finished");
        }
        return lock;
    }

    /** Whether the policies can be written: the check before the admin is asked to remove an orphan policy. */
    public void requireWritable() {
        Pmxcfs.requireWritable(paths.policyDir(), "nothing was changed");
    }

    /** Removes the policy of a VM that does not exist any more ({@link DisablePreview.Orphan}), once confirmed. */
    public DisableResult.OrphanRemoved removeOrphan(DisablePreview.Orphan orphan) {
        int vmid = orphan.vmid();
        new PolicyStore(paths).delete(vmid);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("policyRemoved", true);
        details.put("orphan", true);
        List<String> warnings = new ArrayList<>();
        audit(vmid, "disable", details, warnings);
        return new DisableResult.OrphanRemoved(vmid, orphan.policyFile(), warnings);
    }

    private static void removeWithUndo(Path file, Deque<EnableService.Undo> undo) {
        byte[] old;
        try {
            old = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot read", file, e), e);
        }
        removeWithUndo(file, old, undo);
    }

    /** Deletes {@code file}, whose content is {@code old} (read before), with the undo that writes it back. */
    private static void removeWithUndo(Path file, byte[] old, Deque<EnableService.Undo> undo) {
        EnableService.deleteFile(file);
        undo.push(new EnableService.Undo("restore " + file, "time-shift enable again",
                () -> AtomicFiles.write(file, old, AtomicFiles.MODE_0640)));
    }

    /**
     * Records {@code action} in the audit log; the change is made already, so a failure to record it is a
     * warning line added to {@code warnings}, not a failure. (The one call of the audit log here.)
     */
    private void audit(int vmid, String action, Map<String, Object> details, List<String> warnings) {
        new AuditLog(paths.auditLog(), clock).appendOrWarn(Actor.of(env), vmid, action, details).ifPresent(warnings::add);
    }

    private record Lenient(Policy.Original original, String chain) {
    }

    /** {@code original} and {@code chain} from a policy that fails strict validation, if its JSON is readable. */
    private static Lenient lenient(String text) {
        try {
            Map<String, Object> m = Json.parseObject(text, "policy");
            String chain = m.get("chain") instanceof String s ? s : null;
            if (m.get("original") instanceof Map<?, ?> o) {
                @SuppressWarnings("unchecked")
                Map<String, Object> fw = o.get("firewall") instanceof Map<?, ?> f ? (Map<String, Object>) f : null;
                return new Lenient(new Policy.Original(str(o.get("startdate")), str(o.get("hookscript")), str(o.get("agent")), fw),
                        chain);
            }
            return new Lenient(null, chain);
        } catch (RuntimeException e) {
            return new Lenient(null, null);
        }
    }

    private static String str(Object o) {
        return o instanceof String s ? s : null;
    }
}

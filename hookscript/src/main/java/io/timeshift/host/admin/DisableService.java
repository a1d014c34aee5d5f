package io.timeshift.host.admin;

import io.timeshift.common.policy.GuestPolicy;

import io.timeshift.common.text.Sanitizer;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.timeshift.host.apply.ApplyWorker;
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
import java.io.PrintWriter;
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
 */
public final class DisableService {
    private final HostPaths paths;
    private final Map<String, String> env;
    private final Clock clock;
    private final Supplier<PveClient> pve;
    private final IntFunction<QgaClient> agents;
    private final Prompt prompt;
    private final PrintWriter out;
    private final Duration workerWait;

    public DisableService(HostPaths paths, Map<String, String> env, Clock clock, Supplier<PveClient> pve,
                          IntFunction<QgaClient> agents, Prompt prompt, PrintWriter out, Duration workerWait) {
        this.paths = paths;
        this.env = env;
        this.clock = clock;
        this.pve = pve;
        this.agents = agents;
        this.prompt = prompt;
        this.out = out;
        this.workerWait = workerWait;
    }

    public int disable(int vmid, boolean dryRun, boolean yes, boolean keepClock) {
        PolicyStore store = new PolicyStore(paths);
        Optional<String> text = store.readText(vmid);
        Policy.Original original = null;
        String chain = null;
        if (text.isPresent()) {
            try {
                Policy p = PolicyParser.parse(text.get(), vmid, store.file(vmid).toString());
                original = p.original();
                chain = p.chain();
            } catch (InvalidInputException e) {
                Lenient l = lenient(text.get());
                original = l.original;
                chain = l.chain;
                out.println("note: the policy is invalid (" + e.getMessage() + ")" + (original == null
                        ? "; what enable replaced is unknown, only our own traces are removed" : "; using its 'original' anyway"));
            }
        }
        String node = LocalNode.name(paths.pveDir());
        try (PveClient client = pve.get()) {
            VmConfigView conf = VmLocator.config(client, node, vmid, "disable " + vmid, true);
            if (conf == null) {
                if (text.isEmpty()) {
                    out.println("VM " + vmid + " has no time-shift policy; nothing to do");
                    out.flush();
                    return 0;
                }
                return removeOrphan(vmid, store, dryRun, yes);
            }
            ConfigChange change = new ConfigChange(conf);
            String currentHook = conf.hookscript().orElse(null);
            String note = null;
            if (ConfigEdits.isOurs(currentHook)) {
                String restore = chain != null ? chain : original == null ? null : original.hookscript();
                change.set("hookscript", ConfigEdits.isOurs(restore) ? null : restore);
            } else if (currentHook != null && text.isPresent()) {
                note = "hookscript " + currentHook + " is not ours (changed since enable); left as is";
            }
            if (original != null) {
                change.set("startdate", original.startdate());
                String agentNow = conf.agent().orElse(null);
                if (!ConfigEdits.agentEnabled(original.agent()) && ConfigEdits.agentEnabled(agentNow)) {
                    change.set("agent", original.agent());
                }
            } else if (conf.startdate().isPresent() && (ConfigEdits.isOurs(currentHook) || text.isPresent())) {
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

            if (text.isEmpty() && change.isEmpty()) {
                out.println("VM " + vmid + " has no time-shift policy; nothing to do");
                out.flush();
                return 0;
            }
            boolean running = client.node(node).qemu(vmid).status().running();
            if (text.isPresent()) {
                Pmxcfs.requireWritable(paths.policyDir(), "nothing was changed");
            }
            List<String> units = new StateStore(paths).read(vmid).timeSyncDisabled();

            // ---- show
            out.println("VM " + vmid + " (" + conf.name().orElse("no name") + ") on node " + node + ", "
                    + (running ? "running" : "stopped") + (text.isEmpty() ? ": no policy, removing leftovers" : ""));
            out.println("config of VM " + vmid + " (one update, digest " + conf.digest() + "):");
            if (change.isEmpty()) {
                out.println("   (no change)");
            } else {
                change.diff("  ").forEach(out::println);
            }
            if (note != null) {
                out.println("note: " + note);
            }
            if (firewall != null) {
                Isolation.restorePreview(vmid, firewall).forEach(out::println);
            }
            if (text.isPresent()) {
                out.println("policy " + store.file(vmid) + " (removed):");
                for (String l : TextDiff.lines(text.get(), "")) {
                    out.println("  " + l);
                }
            }
            if (running) {
                if (keepClock) {
                    out.println("guest: --keep-clock: clock and time sync are left as they are (time sync stays off"
                            + (units.isEmpty() ? "" : ": " + String.join(", ", units)) + ")");
                } else {
                    out.println("guest: remove " + GuestPolicy.FILE + ", " + (units.isEmpty() ? ""
                            : "re-enable " + String.join(", ", units) + ", ") + "set the clock back to real time through the agent");
                }
            }
            int gate = prompt.gate(dryRun, yes, out, null);
            if (gate != Prompt.GO) {
                return gate;
            }

            if (firewall != null) {
                // first, and idempotent: on a later failure the policy still records it, and disable runs again
                for (String l : Isolation.restoreFirewall(client, node, vmid, firewall)) {
                    out.println("VM " + vmid + ": " + l);
                }
            }
            // ---- change: files first (undoable), the config update commits
            Deque<EnableService.Undo> undo = new ArrayDeque<>();
            try {
                if (text.isPresent()) {
                    removeWithUndo(store.file(vmid), text.get().getBytes(StandardCharsets.UTF_8), undo);
                    removeWithUndo(paths.clockMirror(vmid), undo);
                }
                if (!change.isEmpty()) {
                    client.node(node).qemu(vmid).updateConfig(change.update());
                }
            } catch (RuntimeException e) {
                Rollback.Failed f = Rollback.run(vmid, undo, e); // what was undone is data now: shown here until this prints no more
                f.rolledBack().forEach(step -> out.println("rolled back: " + step));
                out.flush();
                throw f.error();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("config", new LinkedHashMap<>(change.changes()));
            details.put("policyRemoved", text.isPresent());
            if (firewall != null) {
                details.put("firewallRestored", firewall);
            }
            details.put("running", running);
            out.println("VM " + vmid + ": time-shift disabled" + (change.isEmpty() ? "" : "; config restored"));
            String guestFailure = null;
            if (running && !keepClock) {
                try {
                    details.put("guest", resetGuest(vmid, units));
                } catch (TimeShiftException e) {
                    guestFailure = e.getMessage();
                    details.put("guest", "failed: " + guestFailure);
                }
            } else if (running) {
                details.put("guest", "kept (--keep-clock)");
            } else if (text.isPresent()) {
                out.println("VM " + vmid + " is stopped, so its guest was not touched; after its next start run in the guest: rm -f "
                        + GuestPolicy.FILE + (units.isEmpty() ? "" : "; systemctl enable --now " + String.join(" ", units)));
            }
            audit(vmid, details);
            out.flush();
            if (guestFailure != null) {
                throw new EnvironmentException("VM " + vmid + ": disabled, but the guest was not reset: " + guestFailure
                        + "; the guest clock may still be shifted" + (units.isEmpty() ? ""
                        : " (in the guest run: systemctl enable --now " + String.join(" ", units) + ")"));
            }
            return 0;
        }
    }

    /** Re-enables the guest's time sync and sets its clock to real time, holding the VM's worker lock. */
    private String resetGuest(int vmid, List<String> units) {
        try {
            Files.createDirectories(paths.stateDir());
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot create", paths.stateDir(), e), e);
        }
        try (FileChannel ch = FileChannel.open(paths.workerLock(vmid), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = waitForWorker(vmid, ch);
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
                        guestPolicy = rm.ok() ? "removed " + GuestPolicy.FILE + "; "
                                : "could not remove " + GuestPolicy.FILE + " (exit " + rm.exitCode() + "); ";
                    } catch (AgentErrorException e) {
                        guestPolicy = "could not remove " + GuestPolicy.FILE + " (" + io.timeshift.common.text.Sanitizer.value(e.desc()) + "); ";
                    }
                }
                TimeSyncManager.Report enabled = new TimeSyncManager(agent).enable(os, units);
                String sync = guestPolicy + enabled.summary();
                if (!units.isEmpty() && !enabled.enabled().isEmpty()) {
                    new StateStore(paths).update(vmid, s -> s.timeSyncDisabled(List.of()));
                }
                String rtc = "";
                try {
                    agent.setTimeNanos(() -> Instants.toEpochNanos(clock.instant()));
                } catch (AgentErrorException e) {
                    if (e.kind() != AgentErrorKind.HARDWARE_CLOCK) {
                        throw e;
                    }
                    rtc = "; the guest could not write its RTC (" + io.timeshift.common.text.Sanitizer.value(e.desc()) + ")";
                }
                QgaClient.TimedReading r = agent.timedGetTime(() -> Instants.toEpochNanos(clock.instant()));
                String msg = sync + "; guest clock back to real time (" + Instants.iso(Instants.fromEpochNanos(r.guestNanos()))
                        + ", off by " + String.format(java.util.Locale.ROOT, "%.1f", r.offsetNanos() / 1e6) + " ms)" + rtc;
                out.println("VM " + vmid + ": " + msg);
                return msg;
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
    private FileLock waitForWorker(int vmid, FileChannel ch) throws IOException {
        FileLock lock = ch.tryLock();
        if (lock != null) {
            return lock;
        }
        out.println("VM " + vmid + ": waiting for the running apply worker to finish (up to " + workerWait.toSeconds() + " s)");
        out.flush();
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

    private int removeOrphan(int vmid, PolicyStore store, boolean dryRun, boolean yes) {
        out.println("VM " + vmid + " does not exist in this cluster any more; its policy " + store.file(vmid) + " is an orphan");
        if (dryRun) {
            out.println("dry run: nothing was changed (would remove " + store.file(vmid) + ")");
            out.flush();
            return 0;
        }
        Pmxcfs.requireWritable(paths.policyDir(), "nothing was changed");
        if (!prompt.require(yes, "Apply? [y/N] ")) {
            out.println("not confirmed; nothing was changed");
            out.flush();
            return 1;
        }
        store.delete(vmid);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("policyRemoved", true);
        details.put("orphan", true);
        audit(vmid, details);
        out.println("VM " + vmid + ": orphan policy removed");
        out.flush();
        return 0;
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

    private void audit(int vmid, Map<String, Object> details) {
        new AuditLog(paths.auditLog(), clock).appendOrWarn(Actor.of(env), vmid, "disable", details).ifPresent(out::println);
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

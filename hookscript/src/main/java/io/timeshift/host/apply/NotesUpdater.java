package io.timeshift.host.apply;

import io.timeshift.host.env.HostPaths;
import io.timeshift.host.env.LocalNode;
import io.timeshift.host.notes.ArgvText;
import io.timeshift.host.notes.NotesLine;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.time.TimeParsers;
import io.timeshift.pve.api.ConfigUpdate;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.VmConfigView;
import io.timeshift.pve.api.error.PveConflictException;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Keeps the VM's Notes line ({@code time-shift: fixed 2021-03-01T12:00:00Z · last apply ok
 * 2026-11-25T10:31Z · drift 4 ms}) current after every apply, as the contract asks, so the Proxmox GUI
 * shows the last result. One config update checked against the digest, retried a few times when
 * someone else changed the config meanwhile (the start task may still hold the VM's lock for a moment
 * after post-start). Everything else in the Notes is left untouched, and the line is not written when the
 * Notes would pass Proxmox's 8192 characters ({@link NotesLine#putWithin}). Failures are only logged: the
 * clock is what matters, the Notes are a view of it.
 */
public final class NotesUpdater implements ApplyWorker.Listener {
    private final HostPaths paths;
    private final Supplier<PveClient> client;
    private final PrintStream log;

    public NotesUpdater(HostPaths paths, Supplier<PveClient> client, PrintStream log) {
        this.paths = paths;
        this.client = client;
        this.log = log;
    }

    @Override
    public void applied(int vmid, Policy policy, Map<String, Object> lastApply) {
        String result = String.valueOf(lastApply.get("result"));
        Object at = lastApply.get("finishedAt");
        Instant when = at instanceof String s ? TimeParsers.parseInstant(s) : null;
        Double drift = lastApply.get("errorMs") instanceof Number n ? n.doubleValue() : null;
        String line = NotesLine.applied(policy, result, when, drift, ArgvText.separator());
        String node = LocalNode.name(paths.pveDir());
        RuntimeException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try (PveClient c = client.get()) {
                VmConfigView conf = c.node(node).qemu(vmid).config();
                String before = conf.description().orElse("");
                String after = NotesLine.putWithin(before, line);
                if (after == null) {
                    log.println(NotesLine.noRoom(vmid, before, line));
                    return;
                }
                if (after.equals(before)) {
                    return;
                }
                ConfigUpdate.Builder u = ConfigUpdate.builder().set("description", after);
                if (conf.digest() != null) {
                    u.digest(conf.digest());
                }
                c.node(node).qemu(vmid).updateConfig(u.build());
                return;
            } catch (PveConflictException e) {
                last = e; // digest changed or the config is still locked: read again
                sleep(500L * attempt);
            } catch (RuntimeException e) {
                log.println("VM " + vmid + ": Notes line not updated: " + e.getMessage());
                return;
            }
        }
        log.println("VM " + vmid + ": Notes line not updated: " + (last == null ? "" : last.getMessage()));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.timeshift.host.apply;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.env.LocalNode;
import io.timeshift.host.io.LogLines;
import io.timeshift.host.notes.ArgvText;
import io.timeshift.host.notes.NotesLine;
import io.timeshift.host.policy.Policy;
import io.timeshift.pve.api.ConfigUpdate;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.QemuApi;
import io.timeshift.pve.api.VmConfigView;
import io.timeshift.pve.api.retry.RetryPresets;
import io.timeshift.pve.api.retry.RetrySettings;

import java.util.function.Supplier;

/**
 * Keeps the VM's Notes line ({@code time-shift: fixed 2021-03-01T12:00:00Z · last apply ok
 * 2026-11-25T10:31Z · drift 4 ms}) current after every apply, as the contract asks, so the Proxmox GUI
 * shows the last result. One config update checked against the digest; the read-modify-write is
 * retried under {@link RetryPresets#configRace} (3 attempts, 0.5 s then 1 s apart) when it lost a race
 * that wrote nothing: someone else changed the config meanwhile (digest) or the VM's config lock was not
 * free in time (the start task may still hold it for a moment after post-start). Everything else in the Notes is left untouched, and the line is not written when the
 * Notes would pass Proxmox's 8192 characters ({@link NotesLine#putWithin}). Failures are only logged: the
 * clock is what matters, the Notes are a view of it.
 */
public final class NotesUpdater implements ApplyWorker.Listener {
    private final HostPaths paths;
    private final Supplier<PveClient> client;
    private final LogLines log;
    private final RetrySettings retry;

    public NotesUpdater(HostPaths paths, Supplier<PveClient> client, LogLines log) {
        this(paths, client, log, RetryPresets.configRaceSettings());
    }

    /** With explicit retry settings (tests: {@code configRaceSettings().withoutDelays()}). */
    public NotesUpdater(HostPaths paths, Supplier<PveClient> client, LogLines log, RetrySettings retry) {
        this.paths = paths;
        this.client = client;
        this.log = log;
        this.retry = retry;
    }

    @Override
    public void applied(int vmid, Policy policy, ApplyRecord lastApply) {
        Double drift = lastApply.reading() == null ? null : lastApply.reading().errorMs();
        String line = NotesLine.applied(policy, lastApply.result().id, lastApply.outcome().finishedAt(), drift,
                ArgvText.separator());
        String node = LocalNode.name(paths.pveDir());
        RetryPolicy<Object> race = RetryPresets.configRace("Notes of VM " + vmid, retry);
        try (PveClient c = client.get()) {
            String skipped = Failsafe.with(race).get(() -> writeLine(c.node(node).qemu(vmid), line));
            if (skipped != null) {
                log.line(skipped);
            }
        } catch (RuntimeException e) {
            // digest changed or the lock stayed taken on every attempt, or anything else: the Notes are only a view
            log.line("VM " + vmid + ": Notes line not updated: " + e.getMessage());
        }
    }

    /**
     * One attempt: read the config, put the line in, write it checked against the digest just read.
     * Returns the line to log when the Notes have no room for it, else null.
     */
    private static String writeLine(QemuApi vm, String line) {
        VmConfigView conf = vm.config();
        String before = conf.description().orElse("");
        String after = NotesLine.putWithin(before, line);
        if (after == null) {
            return NotesLine.noRoom(vm.vmid(), before, line);
        }
        if (after.equals(before)) {
            return null;
        }
        ConfigUpdate.Builder u = ConfigUpdate.builder().set("description", after);
        if (conf.digest() != null) {
            u.digest(conf.digest());
        }
        vm.updateConfig(u.build());
        return null;
    }
}

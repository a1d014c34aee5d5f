package io.timeshift.host.apply;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.io.LogLines;
import io.timeshift.pve.api.ConfigUpdate;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.error.PveConflictException;
import io.timeshift.pve.api.error.PveError;
import io.timeshift.pve.api.retry.RetryPresets;
import io.timeshift.pve.api.retry.RetrySettings;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.text.Sanitizer;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Sets the VM's {@code startdate} for its next cold start, from a worker that post-stop detaches
 * ({@code rearm <vmid>}, not a hook phase). The stop task holds the VM's config lock while the hook
 * runs (docs/pve-facts.md §1.2), so the update waits for it: one synchronous
 * {@code PUT /nodes/{node}/qemu/{vmid}/config} through the typed client over pvesh (what
 * {@code qm set --startdate} runs, docs/pve-facts.md §1.8), retried under
 * {@link RetryPresets#configLock} only while PVE reports that it could not take the lock
 * ({@link PveConflictException.Reason#LOCK_TIMEOUT}; PVE itself waits 10 s per attempt). A VM locked
 * for a backup ({@code VM is locked (backup)}) keeps its old startdate: the apply worker corrects the
 * clock after boot anyway.
 */
public final class Rearm {
    private final Map<String, String> env;
    private final Supplier<PveClient> pve;
    private final String node;
    private final Path auditLog;
    private final Clock clock;
    private final LogLines log;
    private final RetrySettings retry;

    /**
     * @param env     for the check that pvesh is there at all (not a Proxmox VE node otherwise)
     * @param pve     the client to this node over pvesh as root (production: {@code PveClients.asRoot()})
     * @param node    this node's name, where the VM's config lives
     * @param maxWait how long to wait for the config lock in all
     */
    public Rearm(Map<String, String> env, Supplier<PveClient> pve, String node, Path auditLog, Clock clock, LogLines log,
                 Duration maxWait) {
        this(env, pve, node, auditLog, clock, log, RetryPresets.configLockSettings(maxWait));
    }

    /** With explicit retry settings (tests: {@code configLockSettings(..).withoutDelays()}). */
    public Rearm(Map<String, String> env, Supplier<PveClient> pve, String node, Path auditLog, Clock clock, LogLines log,
                 RetrySettings retry) {
        this.env = Objects.requireNonNull(env, "env");
        this.pve = Objects.requireNonNull(pve, "pve");
        this.node = Objects.requireNonNull(node, "node");
        this.auditLog = auditLog;
        this.clock = clock;
        this.log = log;
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    public void rearm(int vmid, String startdate) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("startdate", startdate);
        if (new Detacher(env).findOnPath("pvesh") == null) {
            details.put("result", "skipped: pvesh not found on PATH (not a Proxmox VE node?)");
            new AuditLog(auditLog, clock).append("hook", vmid, "rearm", details);
            throw new EnvironmentException("cannot set startdate of VM " + vmid + ": pvesh not found on PATH");
        }
        String command = "pvesh set /nodes/" + node + "/qemu/" + vmid + "/config --startdate " + startdate;
        RetryPolicy<Object> policy = RetryPresets.configLock(command, retry);
        ConfigUpdate update = ConfigUpdate.builder().set("startdate", startdate).build();
        try (PveClient client = pve.get()) {
            Failsafe.with(policy).run(() -> client.node(node).qemu(vmid).updateConfig(update));
            details.put("result", "ok");
            log.line(clock.instant() + " VM " + vmid + ": startdate for the next cold start set to " + startdate);
        } catch (RuntimeException e) {
            EnvironmentException failure = describe(vmid, command, e);
            details.put("result", "failed: " + failure.getMessage());
            log.line(clock.instant() + " VM " + vmid + ": " + failure.getMessage());
            new AuditLog(auditLog, clock).append("hook", vmid, "rearm", details);
            throw failure;
        }
        new AuditLog(auditLog, clock).append("hook", vmid, "rearm", details);
    }

    /** One line for the worker log and the audit: the backup lock named as such, else the command and PVE's text. */
    private static EnvironmentException describe(int vmid, String command, RuntimeException e) {
        String pveText = e instanceof PveError p && p.failure().pveMessage() != null && !p.failure().pveMessage().isBlank()
                ? Sanitizer.line(lastLine(p.failure().pveMessage())) : Sanitizer.line(String.valueOf(e.getMessage()));
        if (e instanceof PveConflictException c && c.reason() == PveConflictException.Reason.LOCKED
                && pveText.contains("(backup)")) {
            return new EnvironmentException("VM " + vmid + " is locked for a backup; startdate not changed: " + pveText, e);
        }
        return new EnvironmentException(command + " failed: " + pveText, e);
    }

    private static String lastLine(String text) {
        String last = "";
        for (String l : text.split("\n")) {
            if (!l.isBlank()) {
                last = l.strip();
            }
        }
        return last;
    }
}

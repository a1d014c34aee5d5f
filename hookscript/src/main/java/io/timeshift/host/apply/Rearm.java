package io.timeshift.host.apply;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.timeshift.host.audit.AuditLog;
import io.timeshift.common.error.EnvironmentException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sets the VM's {@code startdate} for its next cold start, from a worker that post-stop detaches. The
 * stop task holds the VM's config lock while the hook runs (docs/pve-facts.md §1.2), so this waits for it by
 * retrying {@code qm set} (which itself waits up to 10 s for the lock) with backoff. A VM locked for
 * a backup keeps its old startdate: the apply worker corrects the clock after boot anyway.
 */
public final class Rearm {
    private final Map<String, String> env;
    private final Path auditLog;
    private final Clock clock;
    private final PrintStream log;
    private final Duration maxWait;

    public Rearm(Map<String, String> env, Path auditLog, Clock clock, PrintStream log, Duration maxWait) {
        this.env = env;
        this.auditLog = auditLog;
        this.clock = clock;
        this.log = log;
        this.maxWait = maxWait;
    }

    public void rearm(int vmid, String startdate) {
        String qm = new Detacher(env).findOnPath("qm");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("startdate", startdate);
        if (qm == null) {
            details.put("result", "skipped: qm not found on PATH (not a Proxmox VE node?)");
            new AuditLog(auditLog, clock).append("hook", vmid, "rearm", details);
            throw new EnvironmentException("cannot set startdate of VM " + vmid + ": qm not found on PATH");
        }
        RetryPolicy<Object> retry = RetryPolicy.builder()
                .handleIf(e -> e instanceof EnvironmentException && e.getMessage().contains("lock"))
                .withBackoff(Duration.ofMillis(500), Duration.ofSeconds(10))
                .withMaxDuration(maxWait)
                .withMaxRetries(-1)
                .build();
        try {
            Failsafe.with(retry).run(() -> qmSet(qm, vmid, startdate));
            details.put("result", "ok");
            log.println(clock.instant() + " VM " + vmid + ": startdate for the next cold start set to " + startdate);
        } catch (EnvironmentException e) {
            details.put("result", "failed: " + e.getMessage());
            log.println(clock.instant() + " VM " + vmid + ": " + e.getMessage());
            new AuditLog(auditLog, clock).append("hook", vmid, "rearm", details);
            throw e;
        }
        new AuditLog(auditLog, clock).append("hook", vmid, "rearm", details);
    }

    private void qmSet(String qm, int vmid, String startdate) {
        List<String> cmd = new ArrayList<>(List.of(qm, "set", Integer.toString(vmid), "--startdate", startdate));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new EnvironmentException("qm set " + vmid + " --startdate timed out");
            }
            if (p.exitValue() != 0) {
                String text = new String(out, StandardCharsets.UTF_8).trim();
                String first = text.lines().reduce((a, b) -> b).orElse("exit " + p.exitValue());
                if (text.contains("locked") && text.contains("backup")) {
                    throw new EnvironmentException("VM " + vmid + " is locked for a backup; startdate not changed: " + first);
                }
                throw new EnvironmentException("qm set " + vmid + " --startdate " + startdate + " failed: " + first);
            }
        } catch (IOException e) {
            throw new EnvironmentException("cannot run qm: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnvironmentException("interrupted", e);
        }
    }

}

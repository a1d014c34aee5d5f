package io.timeshift.host.status;

import io.timeshift.host.env.HostPaths;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyParser;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.state.VmState;
import io.timeshift.host.time.TimeParsers;
import io.timeshift.pve.config.VmConfig;
import io.timeshift.pve.config.VmConfigParser;
import io.timeshift.pve.error.TimeShiftException;
import io.timeshift.pve.qga.QgaClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * What is true right now for each VM with a policy (or named): the policy, the last apply from state,
 * and, when the VM runs on this node, the live guest time read through the agent, compared with what
 * the policy expects. Problems are one-line strings with the fix.
 */
public final class StatusService {
    private final HostPaths paths;
    private final Clock clock;
    private final IntFunction<QgaClient> agents;
    private final String node;

    public StatusService(HostPaths paths, Clock clock, IntFunction<QgaClient> agents, String node) {
        this.paths = paths;
        this.clock = clock;
        this.agents = agents;
        this.node = node;
    }

    /** VMIDs to report when none are named: every policy, plus every VM whose conf uses our snippet. */
    public List<Integer> defaultVmids() {
        TreeSet<Integer> ids = new TreeSet<>(new PolicyStore(paths).vmids());
        Path confDir = paths.pveDir().resolve("qemu-server");
        if (Files.isDirectory(confDir)) {
            try (var s = Files.newDirectoryStream(confDir, "*.conf")) {
                for (Path p : s) {
                    String text = Files.readString(p, StandardCharsets.UTF_8);
                    if (text.contains("snippets/time-shift-hook")) {
                        String n = p.getFileName().toString();
                        ids.add(Integer.parseInt(n.substring(0, n.length() - 5)));
                    }
                }
            } catch (IOException | NumberFormatException ignored) {
                // listing is best effort
            }
        }
        return new ArrayList<>(ids);
    }

    public Map<String, Object> status(int vmid) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        m.put("vmid", vmid);
        VmConfig conf = null;
        try {
            conf = VmConfigParser.parseWithoutDigest(vmid, paths.vmConf(vmid));
        } catch (TimeShiftException e) {
            problems.add(e.getMessage() + (Files.exists(paths.policyFile(vmid))
                    ? " (orphan policy; remove with: time-shift disable " + vmid + ")" : ""));
        }
        m.put("name", conf == null ? null : conf.name().orElse(null));
        m.put("node", node);
        boolean running = running(vmid);
        m.put("running", running);
        Policy policy = null;
        Optional<String> text = Optional.empty();
        try {
            text = new PolicyStore(paths).readText(vmid);
            if (text.isPresent()) {
                policy = PolicyParser.parse(text.get(), vmid, paths.policyFile(vmid).toString());
            }
        } catch (TimeShiftException e) {
            problems.add(e.getMessage());
        }
        if (text.isEmpty()) {
            problems.add("no time-shift policy" + (conf != null && conf.hookscript().orElse("").contains("time-shift-hook")
                    ? " but the VM uses our hookscript (fix: time-shift enable " + vmid + " --date <when>, or time-shift disable " + vmid + ")"
                    : ""));
        }
        if (conf != null && policy != null && !conf.hookscript().orElse("").contains("time-shift-hook")) {
            problems.add("policy present but the VM's hookscript is " + conf.hookscript().orElse("not set")
                    + " (fix: time-shift enable " + vmid + " again)");
        }
        if (conf != null && policy != null && !conf.agentEnabled()) {
            problems.add("guest agent not enabled in the VM config (fix: qm set " + vmid + " --agent enabled=1)");
        }
        m.put("mode", policy == null ? null : policy.mode().id());
        VmState state = new StateStore(paths).read(vmid);
        VmState.Run run = state.run();
        Instant now = clock.instant();
        Instant expected = null;
        if (policy != null && running && run != null) {
            expected = TimeParsers.fromEpochNanos(TimeParsers.toEpochNanos(now) + run.offsetNs());
        }
        m.put("expectedTime", expected == null ? null : expected.toString());
        Instant guest = null;
        Double drift = null;
        if (running) {
            try {
                QgaClient.TimedReading r = agents.apply(vmid).withTimeout(Duration.ofSeconds(2))
                        .timedGetTime(() -> TimeParsers.toEpochNanos(clock.instant()));
                guest = TimeParsers.fromEpochNanos(r.guestNanos());
                if (run != null) {
                    drift = Math.round((r.offsetNanos() - run.offsetNs()) / 1e3) / 1e3;
                }
            } catch (TimeShiftException e) {
                problems.add("guest time not readable: " + e.getMessage());
            }
        }
        m.put("guestTime", guest == null ? null : guest.toString());
        m.put("driftMs", drift);
        m.put("inTolerance", drift == null || policy == null ? null : Math.abs(drift) <= policy.tolerance().toMillis());
        if (drift != null && policy != null && Math.abs(drift) > policy.tolerance().toMillis()) {
            problems.add("guest clock is " + drift + " ms from the policy (tolerance " + policy.tolerance()
                    + "; fix: time-shift apply " + vmid + ")");
        }
        m.put("timeSync", policy == null ? null : (policy.keepTimeSync() ? "keep" : "disable"));
        m.put("timeSyncDisabled", state.timeSyncDisabled());
        Map<String, Object> last = state.lastApply();
        if (last != null && VmState.RESULT_RUNNING.equals(last.get("result")) && last.get("workerPid") instanceof Number pid
                && ProcessHandle.of(pid.longValue()).map(ProcessHandle::isAlive).orElse(false) == Boolean.FALSE) {
            last = new LinkedHashMap<>(last);
            last.put("result", VmState.RESULT_FAILED);
            last.put("message", "the apply worker (pid " + pid + ") died before finishing (fix: time-shift apply " + vmid + ")");
        }
        if (last != null && VmState.RESULT_RUNNING.equals(last.get("result")) && last.get("workerPid") == null
                && last.get("startedAt") instanceof String at
                && TimeParsers.parseInstant(at).plus(Duration.ofMinutes(10)).isBefore(clock.instant())) {
            last = new LinkedHashMap<>(last);
            last.put("result", VmState.RESULT_FAILED);
            last.put("message", "the apply worker never started (fix: time-shift apply " + vmid + ")");
        }
        if (last != null && VmState.RESULT_FAILED.equals(last.get("result"))) {
            problems.add("last apply failed: " + last.get("message"));
        }
        m.put("lastApply", last);
        m.put("problems", problems);
        return m;
    }

    /** QEMU's pid file (qemu-server passes -pidfile) names a live process; else the agent socket exists. */
    public boolean running(int vmid) {
        Path pidFile = paths.runDir().resolve(vmid + ".pid");
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return Files.exists(paths.qgaSocket(vmid)) && !Files.exists(pidFile);
        }
    }
}

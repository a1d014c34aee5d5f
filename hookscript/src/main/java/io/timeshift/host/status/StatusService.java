package io.timeshift.host.status;

import io.timeshift.host.env.HostPaths;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyParser;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.state.VmState;
import io.timeshift.common.time.Instants;
import io.timeshift.pve.config.VmConfig;
import io.timeshift.pve.config.VmConfigParser;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.common.text.Sanitizer;
import io.timeshift.host.vmconfig.ConfigEdits;
import io.timeshift.pve.qga.QgaClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
        Path confDir = paths.qemuServerDir();
        if (Files.isDirectory(confDir)) {
            try (var s = Files.newDirectoryStream(confDir, "*.conf")) {
                for (Path p : s) {
                    usesOurHookscript(p).ifPresent(ids::add);
                }
            } catch (IOException | RuntimeException ignored) {
                // listing is best effort
            }
        }
        return new ArrayList<>(ids);
    }

    /** The VMID of {@code <vmid>.conf} when its hookscript is ours; empty for any other file or one not readable. */
    private static Optional<Integer> usesOurHookscript(Path conf) {
        String n = conf.getFileName().toString();
        try {
            int vmid = Integer.parseInt(n.substring(0, n.length() - ".conf".length()));
            VmConfig c = VmConfigParser.parseWithoutDigest(vmid, conf);
            return ConfigEdits.isOurs(c.hookscript().orElse(null)) ? Optional.of(vmid) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // one odd file must not hide the others
        }
    }

    /** The VM's row; a file that cannot be read is a problem in it, not an exception. */
    public StatusRow status(int vmid) {
        List<String> problems = new ArrayList<>();
        VmConfig conf = null;
        try {
            conf = VmConfigParser.parseWithoutDigest(vmid, paths.vmConf(vmid));
        } catch (TimeShiftException e) {
            problems.add(e.getMessage() + (Files.exists(paths.policyFile(vmid))
                    ? " (orphan policy; remove with: time-shift disable " + vmid + ")" : ""));
        }
        String name = conf == null ? null : conf.name().orElse(null);
        boolean running = running(vmid);
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
            problems.add("no time-shift policy" + (conf != null && ConfigEdits.isOurs(conf.hookscript().orElse(null))
                    ? " but the VM uses our hookscript (fix: time-shift enable " + vmid + " --date <when>, or time-shift disable " + vmid + ")"
                    : ""));
        }
        if (conf != null && policy != null) {
            StatusProblems.configProblems(vmid, conf.hookscript(), conf.agentEnabled(), problems);
        }
        StateStore.Loaded loaded;
        try {
            loaded = new StateStore(paths).inspect(vmid);
        } catch (TimeShiftException e) {
            loaded = new StateStore.Loaded(VmState.empty(vmid), e.getMessage());
        }
        if (loaded.problem() != null) {
            problems.add(loaded.problem() + " (the next hook phase or apply sets it aside and starts over)");
        }
        VmState state = loaded.state();
        VmState.Run run = state.run();
        Instant now = clock.instant();
        Instant expected = null;
        if (policy != null && running && run != null) {
            expected = Instants.fromEpochNanos(Instants.toEpochNanos(now) + run.offsetNs());
        }
        Instant guest = null;
        Double drift = null;
        if (running) {
            try {
                QgaClient.TimedReading r = agents.apply(vmid).withTimeout(Duration.ofSeconds(2))
                        .timedGetTime(() -> Instants.toEpochNanos(clock.instant()));
                guest = Instants.fromEpochNanos(r.guestNanos());
                if (run != null) {
                    drift = Math.round((r.offsetNanos() - run.offsetNs()) / 1e3) / 1e3;
                }
            } catch (TimeShiftException e) {
                problems.add("guest time not readable: " + e.getMessage());
            }
        }
        Boolean inTolerance = drift == null || policy == null ? null : Math.abs(drift) <= policy.tolerance().toMillis();
        if (drift != null && policy != null && Math.abs(drift) > policy.tolerance().toMillis()) {
            problems.add(StatusProblems.drift(vmid, drift, policy.tolerance(), 0, null));
        }
        StatusRow.LastApply last = state.lastApply() == null ? null : new StatusRow.LastApply(state.lastApply());
        Long pid = last == null ? null : last.workerPid();
        if (last != null && last.running() && pid != null
                && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == Boolean.FALSE) {
            last = last.failedWith("the apply worker (pid " + pid + ") died before finishing (fix: time-shift apply " + vmid + ")");
        }
        if (last != null && last.running() && last.workerPid() == null
                && last.startedAt() != null
                && Instants.parseIsoUtc(last.startedAt()) != null
                && Instants.parseIsoUtc(last.startedAt()).plus(Duration.ofMinutes(10)).isBefore(clock.instant())) {
            last = last.failedWith("the apply worker never started (fix: time-shift apply " + vmid + ")");
        }
        if (last != null && last.failed()) {
            problems.add("last apply failed: " + Sanitizer.line(String.valueOf(last.message())));
        }
        return new StatusRow(vmid, name, node, running, policy == null ? null : policy.mode(), expected, guest, drift,
                inTolerance, StatusRow.TimeSync.of(policy), state.timeSyncDisabled(), StatusRow.Isolation.of(policy), last,
                problems, true);
    }

    /** QEMU's pid file (qemu-server passes -pidfile) names a live process; else the agent socket exists. */
    public boolean running(int vmid) {
        Path pidFile = paths.pidFile(vmid);
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return Files.exists(paths.qgaSocket(vmid)) && !Files.exists(pidFile);
        }
    }
}

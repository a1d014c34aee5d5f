package io.timeshift.host.cluster;

import io.timeshift.host.apply.ClockMirror;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.env.LocalNode;
import io.timeshift.host.notes.NotesLine;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.status.StatusProblems;
import io.timeshift.host.status.StatusRow;
import io.timeshift.common.time.Instants;
import io.timeshift.host.vmconfig.ConfigEdits;
import io.timeshift.pve.api.ClusterResource;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.QemuApi;
import io.timeshift.pve.api.QemuListEntry;
import io.timeshift.pve.api.ResourceType;
import io.timeshift.pve.api.VmConfigView;
import io.timeshift.pve.api.VmStatus;
import io.timeshift.pve.api.error.PveServerException;
import io.timeshift.common.error.TimeShiftException;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * {@code time-shift status --all}: every VM of the cluster with a policy, from any node or, with
 * {@code --remote}, from any machine. One {@code GET /cluster/resources?type=vm} finds the VMs tagged
 * {@value #TAG} (PVE sends tags as one {@code "a;b"} string); where {@code /etc/pve} is readable the
 * policy files add VMs whose tag was removed by hand. Then, per VM, on a bounded thread pool:
 * <ul>
 *   <li><b>VMs on this node</b> (their config is under {@code <pve>/qemu-server/}): the local view of
 *       {@code status} ({@code StatusService}: policy, node-local state, live guest time through the
 *       agent socket), unchanged.</li>
 *   <li><b>VMs on other nodes</b>: {@code GET .../config} for the Notes line ({@link NotesLine}), hookscript
 *       and agent settings; the policy file when {@code /etc/pve} is readable (it wins over the Notes);
 *       when running, {@code GET .../agent/get-time} for the guest time and, for fixed and continue
 *       mode, the QEMU start time the expectation needs: from {@code GET /nodes/{node}/qemu} (one call per
 *       node; PVE computes its {@code uptime} live), else {@code GET .../status/current}. The
 *       {@code uptime} of {@code /cluster/resources} is not used: pvestatd refreshes it only every few
 *       seconds.</li>
 * </ul>
 * The rows are {@link StatusRow}s, like {@code status}'s. A failure of one VM is a line in its
 * {@code problems}, never the end of the command; only the cluster listing itself is essential.
 *
 * <p><b>Precision for other nodes:</b> offset mode is exact (host time at the midpoint of the
 * get-time call + offset). Fixed and continue mode need the time since the start, and PVE reports
 * {@code uptime} in whole seconds, so their expectation is good to ±0.5 s plus the hook's start-up;
 * {@code inTolerance} allows {@value #UPTIME_ALLOWANCE_MS} ms for that. The host time is this
 * machine's clock: with {@code --remote}, keep it in NTP sync with the cluster.
 *
 * <p><b>Fan-out and the circuit breaker:</b> the client's breaker is keyed by the endpoint we talk
 * to, not by the node behind pveproxy, so a dead node would trip it for the whole cluster. Use a
 * client whose breaker is disabled for this fan-out (see {@link #fanOutRetry}); a node that answers
 * 595/596 through pveproxy is remembered here and its other VMs are skipped with that reason.
 *
 * <p>How to extend: a new per-VM field is a component of {@link StatusRow}, set by {@link #remoteRow}
 * (other nodes) and {@code StatusService#status} (this node), so both kinds of rows stay alike.
 */
public final class ClusterStatusService {
    /** The tag {@code enable} puts on a VM: {@link ConfigEdits#TAG} (kept here for existing callers). */
    public static final String TAG = ConfigEdits.TAG;
    /** Allowance on top of the tolerance when the expectation rests on PVE's whole-second uptime. */
    public static final long UPTIME_ALLOWANCE_MS = 1000;

    /**
     * @param parallelism per-VM calls in flight (threads of the pool)
     * @param deadline    for all per-VM work together; VMs not done by then get a problem
     */
    public record Settings(int parallelism, Duration deadline) {
        public static final Settings DEFAULTS = new Settings(8, Duration.ofSeconds(60));

        public Settings {
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism must be >= 1");
            }
            Objects.requireNonNull(deadline, "deadline");
        }
    }

    private final PveClient client;
    private final HostPaths paths;
    private final String localNode;
    private final IntFunction<StatusRow> localStatus;
    private final Clock clock;
    private final Settings settings;
    private final Map<String, String> deadNodes = new ConcurrentHashMap<>();
    private final Map<String, FutureTask<Map<Integer, Instant>>> starts = new ConcurrentHashMap<>();

    /**
     * @param client      the cluster's API (pvesh, the api-setup token, or {@code --remote})
     * @param paths       where {@code /etc/pve} is ({@code TIME_SHIFT_PVE_DIR}); it may be absent (remote)
     * @param localNode   this node's name, or null when this machine is not a cluster node
     * @param localStatus the local {@code status} of one VM on this node, or null for none
     */
    public ClusterStatusService(PveClient client, HostPaths paths, String localNode,
                                IntFunction<StatusRow> localStatus, Clock clock, Settings settings) {
        this.client = Objects.requireNonNull(client, "client");
        this.paths = Objects.requireNonNull(paths, "paths");
        this.localNode = localNode;
        this.localStatus = localStatus;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Retry settings for a fan-out client: the defaults, breaker off (see the class comment). */
    public static io.timeshift.pve.api.retry.RetryConfig fanOutRetry(io.timeshift.pve.api.retry.RetryConfig base) {
        return base.withBreaker(io.timeshift.pve.api.retry.BreakerSettings.DISABLED);
    }

    /**
     * This node's name as pmxcfs knows it: {@code <pve>/local} is a symlink to {@code nodes/<name>};
     * empty off-node.
     */
    public static Optional<String> localNodeName(HostPaths paths) {
        return LocalNode.fromPmxcfs(paths.pveDir());
    }

    /** Every VM with a policy: tagged in the cluster, or with a policy file (when readable). Sorted by VMID. */
    public List<StatusRow> all() {
        Map<Integer, ClusterResource> byId = vmsById();
        boolean pmxcfs = pmxcfsReadable();
        TreeSet<Integer> ids = new TreeSet<>();
        for (ClusterResource r : byId.values()) {
            if (r.isQemu() && r.hasTag(TAG) && !r.template()) {
                ids.add(r.vmid());
            }
        }
        if (pmxcfs) {
            try {
                ids.addAll(new PolicyStore(paths).vmids());
            } catch (TimeShiftException e) {
                pmxcfs = false;
            }
        }
        return collect(ids, byId, pmxcfs);
    }

    /** The named VMs (tagged or not), wherever they run. Sorted by VMID. */
    public List<StatusRow> of(List<Integer> vmids) {
        return collect(new TreeSet<>(vmids), vmsById(), pmxcfsReadable());
    }

    private Map<Integer, ClusterResource> vmsById() {
        Map<Integer, ClusterResource> byId = new HashMap<>();
        for (ClusterResource r : client.clusterResources(ResourceType.VM)) {
            if (r.vmid() > 0) {
                byId.put(r.vmid(), r);
            }
        }
        return byId;
    }

    private boolean pmxcfsReadable() {
        return Files.isDirectory(paths.policyDir()) && Files.isReadable(paths.policyDir());
    }

    private List<StatusRow> collect(TreeSet<Integer> ids, Map<Integer, ClusterResource> byId, boolean pmxcfs) {
        Map<Integer, StatusRow> rows = new TreeMap<>();
        Map<Integer, Future<StatusRow>> pending = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(settings.parallelism(), ids.size()), daemonThreads());
        try {
            for (int id : ids) {
                ClusterResource r = byId.get(id);
                pending.put(id, pool.submit(() -> row(id, r, pmxcfs)));
            }
            long end = System.nanoTime() + settings.deadline().toNanos(); // monotonic: this tool moves clocks
            for (Map.Entry<Integer, Future<StatusRow>> e : pending.entrySet()) {
                int id = e.getKey();
                try {
                    rows.put(id, e.getValue().get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException t) {
                    e.getValue().cancel(true);
                    rows.put(id, failedRow(id, byId.get(id), "no answer within " + settings.deadline().toSeconds()
                            + " s (status of the other VMs is shown)"));
                } catch (ExecutionException x) {
                    rows.put(id, failedRow(id, byId.get(id), message(x.getCause())));
                } catch (InterruptedException i) {
                    Thread.currentThread().interrupt();
                    rows.put(id, failedRow(id, byId.get(id), "interrupted"));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new ArrayList<>(rows.values());
    }

    private StatusRow row(int vmid, ClusterResource r, boolean pmxcfs) {
        try {
            if (r == null) {
                return orphanRow(vmid, pmxcfs);
            }
            if (!r.isQemu()) {
                return failedRow(vmid, r, "VM " + vmid + " is a container (" + r.type() + "); time-shift works on QEMU VMs only");
            }
            if (localStatus != null && r.node().equals(localNode) && Files.exists(paths.vmConf(vmid))) {
                return localStatus.apply(vmid);
            }
            return remoteRow(r, pmxcfs);
        } catch (RuntimeException e) {
            return failedRow(vmid, r, message(e));
        }
    }

    /** A VM on another node (or any node, from a machine outside the cluster): through the API. */
    StatusRow remoteRow(ClusterResource r, boolean pmxcfs) {
        int vmid = r.vmid();
        List<String> problems = new ArrayList<>();
        String name = r.name().isEmpty() ? null : r.name();
        if (r.template()) {
            problems.add("VM " + vmid + " is a template; templates never start, so its policy has no effect"
                    + " (fix: time-shift disable " + vmid + ")");
        }
        if ("unknown".equals(r.status())) {
            problems.add("node " + r.node() + " is offline or without quorum; VM " + vmid + " cannot be checked");
            return bare(vmid, name, r.node(), r.running(), problems);
        }
        String dead = deadNodes.get(r.node());
        if (dead != null) {
            problems.add("node " + r.node() + " did not answer: " + dead);
            return bare(vmid, name, r.node(), r.running(), problems);
        }
        Policy policy = null;
        if (pmxcfs) {
            try {
                policy = new PolicyStore(paths).read(vmid).orElse(null);
            } catch (TimeShiftException e) {
                problems.add(e.getMessage());
            }
        }
        QemuApi qemu = client.node(r.node()).qemu(vmid);
        VmConfigView conf = null;
        try {
            conf = qemu.config();
        } catch (RuntimeException e) {
            noteDeadNode(r.node(), e);
            problems.add("config not readable: " + message(e));
        }
        NotesLine notes = conf == null ? null : NotesLine.parse(conf.description().orElse(null)).orElse(null);
        if (conf != null && conf.name().isPresent()) {
            name = conf.name().get();
        }
        Mode mode = policy != null ? policy.mode() : notes != null ? notes.mode() : null;
        if (mode == null && conf != null) {
            problems.add(pmxcfs
                    ? "tagged " + TAG + " but has no policy file " + paths.policyFile(vmid) + " (fix: time-shift enable "
                      + vmid + " --date <when>, or remove the tag)"
                    : "tagged " + TAG + " but its Notes have no '" + NotesLine.PREFIX.strip() + "' line, and /etc/pve is not"
                      + " readable here, so its policy is unknown (check on a cluster node: time-shift status " + vmid + ")");
        }
        if (conf != null && mode != null) {
            StatusProblems.configProblems(vmid, conf.hookscript(), conf.agentEnabled(), problems);
        }
        Instant expected = null;
        Instant guest = null;
        Double drift = null;
        long allowanceMs = 0;
        if (r.running() && conf != null && conf.agentEnabled()) {
            try {
                Instant startHost = null;
                Instant base = mode == null ? null : expectationBase(mode, policy, notes, vmid, pmxcfs);
                if (base != null) {
                    startHost = startedAt(r.node(), qemu);
                    allowanceMs = UPTIME_ALLOWANCE_MS;
                }
                Instant t0 = clock.instant();
                long ns = qemu.agentGetTime();
                Instant t1 = clock.instant();
                Instant at = mid(t0, t1);
                guest = Instants.fromEpochNanos(ns);
                if (mode == Mode.OFFSET) {
                    Duration offset = policy != null ? policy.offset() : notes.offset();
                    expected = at.plus(offset);
                } else if (base != null) {
                    expected = base.plus(Duration.between(startHost, at));
                }
                if (expected != null) {
                    drift = Math.round(Duration.between(expected, guest).toNanos() / 1e3) / 1e3;
                }
            } catch (RuntimeException e) {
                noteDeadNode(r.node(), e);
                problems.add("guest time not readable: " + message(e));
            }
        }
        Duration tolerance = policy != null ? policy.tolerance() : Policy.DEFAULT_TOLERANCE;
        Boolean in = drift == null ? null : Math.abs(drift) <= tolerance.toMillis() + allowanceMs;
        if (Boolean.FALSE.equals(in)) {
            problems.add(StatusProblems.drift(vmid, drift, tolerance, allowanceMs, r.node()));
        }
        Map<String, Object> notesApply = notes == null ? null : notes.lastApply();
        StatusRow.LastApply last = notesApply == null ? null : new StatusRow.LastApply(notesApply);
        if (last != null && last.failed()) {
            problems.add("last apply failed (on " + r.node() + "; details: time-shift status " + vmid + " there)");
        }
        // the state (time sync units turned off) is on the VM's node, not readable through the API
        return new StatusRow(vmid, name, r.node(), r.running(), mode, expected, guest, drift, in, StatusRow.TimeSync.of(policy),
                null, StatusRow.Isolation.of(policy), last, problems, true);
    }

    /**
     * When the VM's QEMU started, in host time: from the node's VM list ({@code GET /nodes/{node}/qemu},
     * one call per node, whose {@code uptime} PVE computes live from the QEMU process), else from the
     * VM's {@code status/current}. Uptime is whole seconds, truncated (the true value is in
     * [uptime, uptime + 1)), hence the half second.
     */
    private Instant startedAt(String node, QemuApi qemu) {
        Instant start = nodeStarts(node).get(qemu.vmid());
        if (start != null) {
            return start;
        }
        Instant s0 = clock.instant();
        VmStatus st = qemu.status();
        Instant s1 = clock.instant();
        return mid(s0, s1).minusSeconds(st.uptimeSeconds()).minusMillis(500);
    }

    /** Start times of a node's running VMs, read once per node (empty when the list cannot be read). */
    private Map<Integer, Instant> nodeStarts(String node) {
        FutureTask<Map<Integer, Instant>> mine = new FutureTask<>(() -> readNodeStarts(node));
        FutureTask<Map<Integer, Instant>> task = starts.putIfAbsent(node, mine);
        if (task == null) {
            task = mine;
            mine.run();
        }
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        } catch (ExecutionException e) {
            return Map.of();
        }
    }

    private Map<Integer, Instant> readNodeStarts(String node) {
        Map<Integer, Instant> out = new HashMap<>();
        try {
            Instant t0 = clock.instant();
            List<QemuListEntry> list = client.node(node).qemuList();
            Instant at = mid(t0, clock.instant());
            for (QemuListEntry vm : list) {
                if (vm.running() && vm.vmid() > 0) {
                    out.put(vm.vmid(), at.minusSeconds(vm.uptimeSeconds()).minusMillis(500));
                }
            }
        } catch (RuntimeException e) {
            noteDeadNode(node, e);
            return Map.of(); // each VM falls back to its own status/current
        }
        return out;
    }

    private Instant expectationBase(Mode mode, Policy policy, NotesLine notes, int vmid, boolean pmxcfs) {
        return expectationBase(paths, mode, policy != null ? policy.date() : notes.date(), vmid, pmxcfs);
    }

    /**
     * Guest time at this run's start, for fixed and continue mode; null for offset mode and when not
     * known here (continue mode needs the stop record mirrored on pmxcfs). Add the time since the VM's
     * start for the expected guest time now.
     *
     * @param date   the policy's (or Notes line's) date
     * @param pmxcfs whether {@code paths.policyDir()} is readable here
     */
    public static Instant expectationBase(HostPaths paths, Mode mode, Instant date, int vmid, boolean pmxcfs) {
        return switch (mode) {
            case OFFSET -> null;
            case FIXED -> date;
            case CONTINUE -> {
                if (!pmxcfs) {
                    yield null;
                }
                ClockMirror.Entry e = new ClockMirror(paths).read(vmid);
                yield e != null && e.stop() != null ? e.stop().guestTime() : date;
            }
        };
    }

    private void noteDeadNode(String node, RuntimeException e) {
        // pveproxy answers 595/596 when it cannot reach the node it proxies to (AnyEvent::HTTP codes)
        if (e instanceof PveServerException s && (s.status() == 595 || s.status() == 596)) {
            deadNodes.putIfAbsent(node, s.getMessage());
        }
    }

    private StatusRow orphanRow(int vmid, boolean pmxcfs) {
        List<String> problems = new ArrayList<>();
        if (pmxcfs && Files.exists(paths.policyFile(vmid))) {
            problems.add("policy file " + paths.policyFile(vmid) + " exists but VM " + vmid
                    + " is not in the cluster (orphan policy; remove the file)");
        } else {
            problems.add("VM " + vmid + " not found in the cluster");
        }
        return bare(vmid, null, null, false, problems);
    }

    private StatusRow failedRow(int vmid, ClusterResource r, String problem) {
        return bare(vmid, r == null || r.name().isEmpty() ? null : r.name(), r == null ? null : r.node(),
                r != null && r.running(), List.of(problem));
    }

    /** A row with what the cluster listing says (name, node, running) and the problems, nothing else known. */
    private static StatusRow bare(int vmid, String name, String node, boolean running, List<String> problems) {
        return new StatusRow(vmid, name, node, running, null, null, null, null, null, null, null, null, null, problems, true);
    }

    /** The midpoint of {@code a} and {@code b} (host time of a call timed by its start and end). */
    public static Instant mid(Instant a, Instant b) {
        return a.plus(Duration.between(a, b).dividedBy(2));
    }

    private static String message(Throwable e) {
        String s = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return s.replaceAll("\\s+", " ").strip();
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "status-all-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

package io.timeshift.host.admin;

import io.timeshift.common.text.Sanitizer;

import io.timeshift.host.apply.TimeSyncManager;
import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.cluster.ClusterStatusService;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.finding.Finding;
import io.timeshift.common.timesync.SystemctlShow;
import io.timeshift.host.io.Json;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.state.VmState;
import io.timeshift.common.time.Durations;
import io.timeshift.common.time.Instants;
import io.timeshift.pve.api.ClusterResource;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.QemuApi;
import io.timeshift.pve.api.ResourceType;
import io.timeshift.pve.api.VmStatus;
import io.timeshift.pve.api.error.PveAuthException;
import io.timeshift.pve.api.error.PvePermissionException;
import io.timeshift.common.error.CheckFailedException;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.pve.qga.AgentErrorException;
import io.timeshift.pve.qga.ExecResult;
import io.timeshift.pve.qga.OsInfo;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.pve.qga.VmNotRunningException;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * {@code time-shift verify}: proves from the host that the running guest is where its policy says:
 * the agent's clock against host time plus the offset of the current run (within tolerance), the
 * guest's time sync units (which would pull the clock back), and, when {@code time-shift-guest} is
 * installed in the guest, its own {@code verify --json}, merged. Exit 1 when anything is off, each
 * finding on one line with its fix. With {@code --remote} ({@link #verifyRemote}): the guest clock
 * through the API against the policy file.
 */
public final class VerifyService {
    private static final Duration GUEST_VERIFY_TIMEOUT = Duration.ofSeconds(60);

    private final HostPaths paths;
    private final Map<String, String> env;
    private final Clock clock;
    private final IntFunction<QgaClient> agents;

    public VerifyService(HostPaths paths, Map<String, String> env, Clock clock, IntFunction<QgaClient> agents) {
        this.paths = paths;
        this.env = env;
        this.clock = clock;
        this.agents = agents;
    }

    /** Checks a running VM of this node; record it with {@link #audit} once shown. */
    public VerifyReport verify(int vmid) {
        Policy policy = new PolicyStore(paths).read(vmid).orElseThrow(() -> new InvalidInputException("VM " + vmid
                + " has no time-shift policy (" + paths.policyFile(vmid) + "); enable it first: time-shift enable " + vmid
                + " --date <when>"));
        List<Finding> findings = new ArrayList<>();
        List<String> oks = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("vmid", vmid);
        report.put("policy", policy.summary());

        QgaClient agent = agents.apply(vmid);
        QgaClient.TimedReading reading;
        try {
            reading = agent.withTimeout(Duration.ofSeconds(3)).timedGetTime(() -> Instants.toEpochNanos(clock.instant()));
        } catch (VmNotRunningException e) {
            throw new EnvironmentException("VM " + vmid + " is not running on this node (no agent socket " + paths.qgaSocket(vmid)
                    + "); start it (qm start " + vmid + ") or run verify on its node", e);
        }

        // ---- clock
        StateStore.Loaded loaded = new StateStore(paths).inspect(vmid);
        if (loaded.problem() != null) {
            findings.add(Finding.host(loaded.problem(), "time-shift apply " + vmid + " (sets the damaged file aside and starts over)"));
        }
        VmState.Run run = loaded.state().run();
        Long expectedOffset = null;
        if (run != null) {
            expectedOffset = run.offsetNs();
            if (run.policy() != null && !run.policy().equals(policy.summary())) {
                findings.add(Finding.host("the policy changed since the last apply (applied: " + run.policy() + ")",
                        "time-shift apply " + vmid));
            }
        } else if (policy.mode() == Mode.OFFSET) {
            expectedOffset = policy.offset().toNanos();
        } else {
            findings.add(Finding.host("no apply is recorded for the current start of VM " + vmid
                    + ", so the expected guest time is unknown", "time-shift apply " + vmid));
        }
        String guestTime = Instants.iso(Instants.fromEpochNanos(reading.guestNanos()));
        report.put("guestTime", guestTime);
        Double driftMs = null;
        Boolean inTolerance = null;
        String expectedTime = null;
        if (expectedOffset != null) {
            expectedTime = Instants.iso(Instants.fromEpochNanos(reading.hostNanos() + expectedOffset));
            long drift = reading.offsetNanos() - expectedOffset;
            driftMs = Math.round(drift / 1e3) / 1e3;
            inTolerance = Math.abs(drift) <= policy.tolerance().toNanos();
            String what = "guest clock " + guestTime + ", expected " + expectedTime + ": drift "
                    + String.format(Locale.ROOT, "%+.1f", driftMs) + " ms (tolerance " + Durations.format(policy.tolerance()) + ")";
            if (inTolerance) {
                oks.add(what);
            } else {
                findings.add(Finding.host(what + " is out of tolerance", "time-shift apply " + vmid));
            }
        }
        report.put("expectedTime", expectedTime);
        report.put("driftMs", driftMs);
        report.put("tolerance", Durations.format(policy.tolerance()));
        report.put("inTolerance", inTolerance);

        // ---- time sync
        report.put("timeSync", timeSync(vmid, agent, policy, findings, oks, notes));

        // ---- the guest's own check
        Map<String, Object> g = new LinkedHashMap<>();
        GuestTool.Result gr;
        try {
            gr = GuestTool.run(agent, GUEST_VERIFY_TIMEOUT, "verify", "--json");
        } catch (TimeShiftException e) {
            gr = null;
            findings.add(Finding.host("could not run " + GuestTool.PATH + " verify in the guest: " + e.getMessage(),
                    "check the guest agent, then run time-shift verify " + vmid + " again"));
        }
        if (gr != null && !gr.installed()) {
            g.put("installed", false);
            notes.add("time-shift-guest is not installed in the guest; for its checks " + GuestTool.INSTALL_HINT);
        } else if (gr != null) {
            g.put("installed", true);
            g.put("exitCode", gr.exitCode());
            Map<String, Object> guestReport = null;
            if (gr.exitCode() == 0 || gr.exitCode() == 1) {
                try {
                    guestReport = Json.parseObject(gr.out(), "time-shift-guest verify --json");
                } catch (InvalidInputException e) {
                    guestReport = null;
                }
            }
            g.put("report", guestReport);
            if (guestReport == null) {
                findings.add(Finding.host("time-shift-guest verify failed in the guest (exit " + gr.exitCode() + "): "
                        + gr.firstErrLine(), "run time-shift-guest verify in the guest to see why"));
            } else {
                int before = findings.size();
                if (guestReport.get("findings") instanceof List<?> l) {
                    for (Object o : l) {
                        if (o instanceof Map<?, ?> f) {
                            findings.add(new Finding(String.valueOf(f.get("problem")),
                                    f.get("fix") == null ? null : String.valueOf(f.get("fix")), "guest"));
                        }
                    }
                }
                if (findings.size() == before) {
                    oks.add("time-shift-guest verify in the guest: no findings");
                }
            }
        }
        report.put("guestVerify", g);
        return new VerifyReport(vmid, "VM " + vmid + ": " + policy.summary(), report, oks, notes, findings);
    }

    /**
     * Records a local verify in the audit log (ok, drift, findings).
     *
     * @return the warning lines to show: none, or one when the log cannot be written
     */
    public List<String> audit(VerifyReport r) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("ok", r.ok());
        details.put("driftMs", r.fields().get("driftMs"));
        details.put("findings", r.findings().stream().map(Finding::line).toList());
        return new AuditLog(paths.auditLog(), clock).appendOrWarn(Actor.of(env), r.vmid(), "verify", details)
                .map(List::of).orElse(List.of());
    }

    /**
     * {@code verify --remote}: the guest clock through the API's {@code agent/get-time} against the policy
     * file, when {@code /etc/pve} is readable here. Without the policy the expected time is unknown: exit 1
     * with one line. Fixed and continue mode rest on PVE's whole-second {@code uptime} (±0.5 s), so
     * {@value ClusterStatusService#UPTIME_ALLOWANCE_MS} ms are allowed on top of the tolerance, as in
     * {@code status --all}. The guest's time sync and its own verify need guest-exec on the node: a note.
     *
     * @param endpoint for the messages
     */
    public VerifyReport verifyRemote(PveClient client, String endpoint, int vmid) {
        ClusterResource vm = null;
        for (ClusterResource r : client.clusterResources(ResourceType.VM)) {
            if (r.vmid() == vmid) {
                vm = r;
                break;
            }
        }
        if (vm == null) {
            throw new InvalidInputException("VM " + vmid + " is not in the cluster at " + endpoint
                    + "; check the VMID (time-shift status --all --remote " + endpoint + " lists the VMs with a policy)");
        }
        if (!vm.isQemu()) {
            throw new InvalidInputException("VM " + vmid + " is a container (" + vm.type() + "); time-shift works on QEMU VMs only");
        }
        String node = vm.node();
        boolean pmxcfs = Files.isDirectory(paths.policyDir()) && Files.isReadable(paths.policyDir());
        Policy policy = null;
        if (pmxcfs) {
            policy = new PolicyStore(paths).read(vmid).orElseThrow(() -> new InvalidInputException("VM " + vmid
                    + " has no time-shift policy (" + paths.policyFile(vmid) + "); enable it first on node " + node
                    + ": time-shift enable " + vmid + " --date <when>"));
        }
        QemuApi qemu = client.node(node).qemu(vmid);
        Instant s0 = clock.instant();
        VmStatus status = qemu.status();
        Instant s1 = clock.instant();
        if (!status.running()) {
            throw new EnvironmentException("VM " + vmid + " is not running (node " + node + ", " + status.status()
                    + "); start it (qm start " + vmid + " on " + node + ") and verify again");
        }
        long guestNs;
        Instant t0 = clock.instant();
        try {
            guestNs = qemu.agentGetTime();
        } catch (PvePermissionException | PveAuthException e) {
            throw e; // names the missing privilege
        } catch (TimeShiftException e) {
            throw new EnvironmentException("VM " + vmid + " (node " + node + "): the guest agent did not answer through the"
                    + " API (" + ErrorLine.of(e) + "); check that qemu-guest-agent runs in the guest and the VM has agent: 1", e);
        }
        Instant at = mid(t0, clock.instant());
        Instant guest = Instants.fromEpochNanos(guestNs);
        String guestTime = Instants.iso(guest);
        if (policy == null) {
            throw new CheckFailedException("VM " + vmid + " (node " + node + "): guest clock " + guestTime + ", but the expected"
                    + " time is unknown here: " + paths.policyFile(vmid) + " is not readable on this machine (run time-shift"
                    + " verify " + vmid + " on " + node + ")");
        }

        List<Finding> findings = new ArrayList<>();
        List<String> oks = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("vmid", vmid);
        report.put("node", node);
        report.put("remote", endpoint);
        report.put("policy", policy.summary());
        report.put("guestTime", guestTime);
        Instant expected;
        long allowanceMs = 0;
        if (policy.mode() == Mode.OFFSET) {
            expected = at.plus(policy.offset());
        } else {
            Instant base = ClusterStatusService.expectationBase(paths, policy.mode(), policy.date(), vmid, true);
            Instant started = mid(s0, s1).minusSeconds(status.uptimeSeconds()).minusMillis(500);
            expected = base.plus(Duration.between(started, at));
            allowanceMs = ClusterStatusService.UPTIME_ALLOWANCE_MS;
            notes.add("the expected time rests on PVE's whole-second uptime (±0.5 s): " + allowanceMs
                    + " ms are allowed on top of the tolerance; on node " + node + " time-shift verify " + vmid + " is exact");
        }
        String expectedTime = Instants.iso(expected);
        double driftMs = Math.round(Duration.between(expected, guest).toNanos() / 1e3) / 1e3;
        boolean inTolerance = Math.abs(driftMs) <= policy.tolerance().toMillis() + allowanceMs;
        String what = "guest clock " + guestTime + ", expected " + expectedTime + ": drift "
                + String.format(Locale.ROOT, "%+.1f", driftMs) + " ms (tolerance " + Durations.format(policy.tolerance()) + ")";
        if (inTolerance) {
            oks.add(what);
        } else {
            findings.add(Finding.host(what + " is out of tolerance", "time-shift apply " + vmid + " on " + node));
        }
        report.put("expectedTime", expectedTime);
        report.put("driftMs", driftMs);
        report.put("tolerance", Durations.format(policy.tolerance()));
        report.put("inTolerance", inTolerance);
        report.put("timeSync", null);
        report.put("guestVerify", null);
        notes.add("the guest's time sync and its own time-shift-guest verify are not checked through --remote (they need"
                + " guest-exec): run time-shift verify " + vmid + " on " + node + " for them");
        return new VerifyReport(vmid, "VM " + vmid + ": " + policy.summary() + " (node " + node + ", through " + endpoint + ")",
                report, oks, notes, findings);
    }

    private static Instant mid(Instant a, Instant b) {
        return a.plus(Duration.between(a, b).dividedBy(2));
    }

    /** The guest's time sync units, as the apply worker's {@link TimeSyncManager} looks at them. */
    private Map<String, Object> timeSync(int vmid, QgaClient agent, Policy policy, List<Finding> findings, List<String> oks,
                                         List<String> notes) {
        Map<String, Object> ts = new LinkedHashMap<>();
        ts.put("policy", policy.keepTimeSync() ? "keep" : "disable");
        List<Map<String, Object>> units = new ArrayList<>();
        ts.put("units", units);
        OsInfo os;
        try {
            os = agent.osInfo();
        } catch (AgentErrorException e) {
            os = null;
        }
        Map<String, String> on = new LinkedHashMap<>(); // unit id -> what it does
        try {
            if (os != null && os.isWindows()) {
                ExecResult q = new TimeSyncManager(agent).queryW32time();
                boolean active = q.out().contains("RUNNING");
                units.add(unit("w32time", active, null));
                if (active) {
                    on.put("w32time", "w32time is running");
                }
            } else {
                TimeSyncManager.Scan scan = new TimeSyncManager(agent).scan();
                ExecResult show = scan.exec();
                if (!scan.listed()) {
                    String why = show.err() == null ? "" : show.err().lines().findFirst().orElse("").strip();
                    ts.put("error", "systemctl show: exit " + show.exitCode() + (why.isEmpty() ? "" : ": " + why));
                    notes.add("time sync not checked: systemctl show listed no unit in the guest (exit " + show.exitCode()
                            + (why.isEmpty() ? "" : ": " + why) + "); make sure no NTP client runs there");
                    return ts;
                }
                for (SystemctlShow.Unit u : scan.units()) {
                    units.add(unit(u.id(), u.active(), u.enabled()));
                    if (u.active() || u.enabled()) {
                        on.put(u.id(), u.id() + " is " + (u.active() && u.enabled() ? "active and enabled"
                                : u.active() ? "active" : "enabled"));
                    }
                }
            }
        } catch (AgentErrorException e) {
            ts.put("error", e.desc());
            notes.add("time sync not checked: the guest cannot run systemctl (" + io.timeshift.common.text.Sanitizer.value(e.desc()) + ")");
            return ts;
        }
        if (on.isEmpty()) {
            oks.add("time sync is off in the guest");
        } else if (policy.keepTimeSync()) {
            notes.add(String.join(", ", on.values()) + " (policy timeSync=keep)");
        } else {
            on.forEach((id, what) -> findings.add(Finding.host(what + " in the guest: it pulls the clock back to real time",
                    "time-shift apply " + vmid + " (turns it off), or in the guest: systemctl disable --now " + id)));
        }
        return ts;
    }

    private static Map<String, Object> unit(String id, boolean active, Boolean enabled) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", id);
        m.put("active", active);
        m.put("enabled", enabled);
        return m;
    }
}

package io.timeshift.host.admin;

import io.timeshift.host.apply.TimeSyncManager;
import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.io.Json;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.state.VmState;
import io.timeshift.host.time.TimeParsers;
import io.timeshift.pve.error.EnvironmentException;
import io.timeshift.pve.error.InvalidInputException;
import io.timeshift.pve.error.TimeShiftException;
import io.timeshift.pve.qga.AgentErrorException;
import io.timeshift.pve.qga.ExecResult;
import io.timeshift.pve.qga.OsInfo;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.pve.qga.VmNotRunningException;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
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
 * finding on one line with its fix.
 */
public final class VerifyService {
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(20);
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

    public int verify(int vmid, boolean json, PrintWriter out) {
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
            reading = agent.withTimeout(Duration.ofSeconds(3)).timedGetTime(() -> TimeParsers.toEpochNanos(clock.instant()));
        } catch (VmNotRunningException e) {
            throw new EnvironmentException("VM " + vmid + " is not running on this node (no agent socket " + paths.qgaSocket(vmid)
                    + "); start it (qm start " + vmid + ") or run verify on its node", e);
        }

        // ---- clock
        VmState.Run run = new StateStore(paths).read(vmid).run();
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
        String guestTime = TimeParsers.iso(TimeParsers.fromEpochNanos(reading.guestNanos()));
        report.put("guestTime", guestTime);
        Double driftMs = null;
        Boolean inTolerance = null;
        String expectedTime = null;
        if (expectedOffset != null) {
            expectedTime = TimeParsers.iso(TimeParsers.fromEpochNanos(reading.hostNanos() + expectedOffset));
            long drift = reading.offsetNanos() - expectedOffset;
            driftMs = Math.round(drift / 1e3) / 1e3;
            inTolerance = Math.abs(drift) <= policy.tolerance().toNanos();
            String what = "guest clock " + guestTime + ", expected " + expectedTime + ": drift "
                    + String.format(Locale.ROOT, "%+.1f", driftMs) + " ms (tolerance " + TimeParsers.format(policy.tolerance()) + ")";
            if (inTolerance) {
                oks.add(what);
            } else {
                findings.add(Finding.host(what + " is out of tolerance", "time-shift apply " + vmid));
            }
        }
        report.put("expectedTime", expectedTime);
        report.put("driftMs", driftMs);
        report.put("tolerance", TimeParsers.format(policy.tolerance()));
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
        boolean ok = findings.isEmpty();
        report.put("ok", ok);
        List<Object> fj = new ArrayList<>();
        findings.forEach(f -> fj.add(f.json()));
        report.put("findings", fj);
        report.put("notes", notes);

        if (json) {
            out.print(new String(Json.pretty(report), StandardCharsets.UTF_8));
        } else {
            out.println("VM " + vmid + ": " + policy.summary());
            oks.forEach(l -> out.println("ok    " + l));
            notes.forEach(l -> out.println("note  " + l));
            findings.forEach(f -> out.println("FAIL  " + (f.source().equals("guest") ? "guest: " : "") + f.line()));
            out.println(ok ? "VM " + vmid + ": verified" : "VM " + vmid + ": " + findings.size()
                    + (findings.size() == 1 ? " problem" : " problems"));
        }
        out.flush();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("ok", ok);
        details.put("driftMs", driftMs);
        details.put("findings", findings.stream().map(Finding::line).toList());
        try {
            new AuditLog(paths.auditLog(), clock).append(Actor.of(env), vmid, "verify", details);
        } catch (TimeShiftException e) {
            out.println("warning: not recorded in the audit log: " + e.getMessage());
            out.flush();
        }
        return ok ? 0 : TimeShiftException.CHECK_FAILED;
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
        List<String> on = new ArrayList<>();
        try {
            if (os != null && os.isWindows()) {
                ExecResult q = agent.run(EXEC_TIMEOUT, "C:\\Windows\\System32\\sc.exe", "query", "w32time");
                boolean active = q.out().contains("RUNNING");
                units.add(unit("w32time", active, null));
                if (active) {
                    on.add("w32time is running");
                }
            } else {
                List<String> args = new ArrayList<>(List.of("show", "--property=Id,LoadState,ActiveState,UnitFileState"));
                args.addAll(TimeSyncManager.LINUX_UNITS);
                ExecResult show = agent.run(EXEC_TIMEOUT, "systemctl", args.toArray(String[]::new));
                for (String block : TimeSyncBlocks.split(show.out())) {
                    String id = TimeSyncBlocks.prop(block, "Id");
                    if (id == null || !TimeSyncManager.LINUX_UNITS.contains(id) || "not-found".equals(TimeSyncBlocks.prop(block, "LoadState"))) {
                        continue;
                    }
                    String as = TimeSyncBlocks.prop(block, "ActiveState");
                    String ufs = TimeSyncBlocks.prop(block, "UnitFileState");
                    boolean active = "active".equals(as) || "activating".equals(as);
                    boolean enabled = ufs != null && ufs.startsWith("enabled");
                    units.add(unit(id, active, enabled));
                    if (active || enabled) {
                        on.add(id + " is " + (active && enabled ? "active and enabled" : active ? "active" : "enabled"));
                    }
                }
            }
        } catch (AgentErrorException e) {
            ts.put("error", e.desc());
            notes.add("time sync not checked: the guest cannot run systemctl (" + e.desc() + ")");
            return ts;
        }
        if (on.isEmpty()) {
            oks.add("time sync is off in the guest");
        } else if (policy.keepTimeSync()) {
            notes.add(String.join(", ", on) + " (policy timeSync=keep)");
        } else {
            for (String u : on) {
                String id = u.substring(0, u.indexOf(' '));
                findings.add(Finding.host(u + " in the guest: it pulls the clock back to real time",
                        "time-shift apply " + vmid + " (turns it off), or in the guest: systemctl disable --now " + id));
            }
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

    /** {@code systemctl show} output: one block per unit (blank line or a new {@code Id=} starts the next). */
    static final class TimeSyncBlocks {
        private TimeSyncBlocks() {
        }

        static List<String> split(String out) {
            List<String> blocks = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            for (String line : out.split("\\n")) {
                if ((line.isBlank() || line.startsWith("Id=")) && cur.indexOf("Id=") >= 0) {
                    blocks.add(cur.toString());
                    cur.setLength(0);
                }
                if (!line.isBlank()) {
                    cur.append(line).append('\n');
                }
            }
            if (cur.length() > 0) {
                blocks.add(cur.toString());
            }
            return blocks;
        }

        static String prop(String block, String key) {
            for (String line : block.split("\\n")) {
                if (line.startsWith(key + "=")) {
                    return line.substring(key.length() + 1).trim();
                }
            }
            return null;
        }
    }
}

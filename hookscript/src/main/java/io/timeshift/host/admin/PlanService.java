package io.timeshift.host.admin;

import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.env.LocalNode;
import io.timeshift.host.env.Pmxcfs;
import io.timeshift.host.io.AtomicFiles;
import io.timeshift.host.io.Json;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyParser;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.time.GuestRtc;
import io.timeshift.host.time.TimeParsers;
import io.timeshift.host.vmconfig.ConfigChange;
import io.timeshift.host.vmconfig.VmLocator;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.VmConfigView;
import io.timeshift.pve.error.EnvironmentException;
import io.timeshift.pve.error.InvalidInputException;
import io.timeshift.pve.error.TimeShiftException;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.pve.qga.VmNotRunningException;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * {@code time-shift plan}: runs {@code time-shift-guest plan --json <targets>} inside the VM through
 * {@code guest-exec} (the guest is where the BMCs are reachable from) and prints its result;
 * {@code --apply} writes the suggested date into the policy and, in one config update with digest, the
 * VM's {@code startdate} and Notes line. Exit codes follow the guest's: 1 no common window, 3 a target
 * could not be probed.
 */
public final class PlanService {
    /** Probes run concurrently with a per-target budget of 10 s in the guest; leave room for slow starts. */
    private static final Duration GUEST_PLAN_TIMEOUT = Duration.ofSeconds(180);

    private final HostPaths paths;
    private final Map<String, String> env;
    private final Clock clock;
    private final Supplier<PveClient> pve;
    private final IntFunction<QgaClient> agents;

    public PlanService(HostPaths paths, Map<String, String> env, Clock clock, Supplier<PveClient> pve,
                       IntFunction<QgaClient> agents) {
        this.paths = paths;
        this.env = env;
        this.clock = clock;
        this.pve = pve;
        this.agents = agents;
    }

    public int plan(int vmid, List<String> targetArgs, boolean json, boolean apply, PrintWriter out, PrintWriter err) {
        PolicyStore store = new PolicyStore(paths);
        Optional<String> policyText = store.readText(vmid);
        Optional<Policy> policy = policyText.map(t -> PolicyParser.parse(t, vmid, store.file(vmid).toString()));
        List<String> targets = TargetArgs.parse(targetArgs);
        if (targets.isEmpty()) {
            targets.addAll(policy.map(Policy::targets).orElse(List.of()));
        }
        if (targets.isEmpty()) {
            throw new InvalidInputException("name at least one --target <bmc> (host, host:port or https://host[:port])");
        }
        if (apply) {
            if (policy.isEmpty()) {
                throw new InvalidInputException("VM " + vmid + " has no time-shift policy to apply a date to; enable it first:"
                        + " time-shift enable " + vmid + " --date <when> --target ...");
            }
            if (policy.get().mode() == Mode.OFFSET) {
                throw new InvalidInputException("VM " + vmid + "'s policy is mode offset, which has no date; to use the"
                        + " suggested date run: time-shift enable " + vmid + " --date <suggested> --mode fixed");
            }
            Pmxcfs.requireWritable(paths.policyDir(), "nothing was changed");
        }

        List<String> args = new ArrayList<>(List.of("plan", "--json"));
        args.addAll(targets);
        GuestTool.Result r;
        try {
            r = GuestTool.run(agents.apply(vmid), GUEST_PLAN_TIMEOUT, args.toArray(String[]::new));
        } catch (VmNotRunningException e) {
            throw new EnvironmentException("VM " + vmid + " is not running on this node (no agent socket " + paths.qgaSocket(vmid)
                    + "); start it (qm start " + vmid + ") and run plan again", e);
        }
        if (!r.installed()) {
            throw new EnvironmentException("VM " + vmid + ": " + GuestTool.PATH + " not found in the guest; " + GuestTool.INSTALL_HINT);
        }
        if (r.exitCode() == TimeShiftException.INVALID_INPUT) {
            throw new InvalidInputException("time-shift-guest plan in VM " + vmid + ": " + r.firstErrLine());
        }
        Map<String, Object> report;
        try {
            report = Json.parseObject(r.out(), "time-shift-guest plan --json");
        } catch (InvalidInputException e) {
            throw new EnvironmentException("time-shift-guest plan in VM " + vmid + " failed (exit " + r.exitCode() + "): "
                    + r.firstErrLine());
        }
        if (json) {
            out.print(new String(Json.pretty(report), StandardCharsets.UTF_8));
        } else {
            printText(vmid, report, out);
        }
        out.flush();
        int rc = r.exitCode() == 0 ? 0 : r.exitCode() == 1 ? TimeShiftException.CHECK_FAILED : TimeShiftException.ENVIRONMENT;
        if (rc == TimeShiftException.ENVIRONMENT) {
            err.println("time-shift: VM " + vmid + ": a target could not be probed from the guest (its error is listed above);"
                    + " check the address and that the VM can reach it");
            err.flush();
        }
        if (!apply) {
            return rc;
        }
        Object suggested = report.get("suggested");
        if (rc != 0 || !(suggested instanceof String s)) {
            (json ? err : out).println("VM " + vmid + ": no usable suggestion; the policy was not changed");
            out.flush();
            return rc == 0 ? TimeShiftException.CHECK_FAILED : rc;
        }
        Instant date = TimeParsers.parseWhen(s, "suggested date from time-shift-guest plan");
        applyDate(vmid, store, policy.get(), policyText.get().getBytes(StandardCharsets.UTF_8), date, targets, json ? err : out);
        return 0;
    }

    /** Writes the date into the policy, then startdate and the Notes line in one config update; undoes the policy on failure. */
    private void applyDate(int vmid, PolicyStore store, Policy old, byte[] previous, Instant date, List<String> targets,
                           PrintWriter out) {
        Policy policy = new Policy(vmid, old.mode(), date, null, old.tolerance(), old.keepTimeSync(), old.abortOnError(), targets,
                old.chain(), old.original(), old.guestZone());
        String node = LocalNode.name(paths.pveDir());
        try (PveClient client = pve.get()) {
            VmConfigView conf = VmLocator.config(client, node, vmid, "plan " + vmid + " --apply ...", false);
            ConfigChange change = new ConfigChange(conf);
            // a guest whose RTC runs in local time reads startdate in its zone (docs/pve-rtc.md)
            boolean localRtc = GuestRtc.localTime(conf.get("localtime").orElse(null), conf.get("ostype").orElse(null));
            String startdate = GuestRtc.startdateFor(date, localRtc, policy.guestZone(), learnedZone(vmid),
                    GuestRtc.hostZone(env));
            change.set("startdate", startdate);
            String notesFull = change.notesLine(vmid, conf.description().orElse(""), policy);
            Deque<EnableService.Undo> undo = new ArrayDeque<>();
            try {
                store.write(policy);
                if (previous != null) {
                    undo.push(new EnableService.Undo("restore the previous policy " + store.file(vmid), "time-shift enable " + vmid,
                            () -> AtomicFiles.write(store.file(vmid), previous, AtomicFiles.MODE_0640)));
                }
                if (!change.isEmpty()) {
                    client.node(node).qemu(vmid).updateConfig(change.update());
                }
            } catch (RuntimeException e) {
                throw Rollback.run(vmid, undo, e, out);
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("from", old.summary());
            details.put("to", policy.summary());
            details.put("targets", targets);
            details.put("config", new LinkedHashMap<>(change.changes()));
            new AuditLog(paths.auditLog(), clock).appendOrWarn(Actor.of(env), vmid, "plan-apply", details, out);
            out.println("VM " + vmid + ": policy now " + policy.summary() + " (was " + old.summary() + "); startdate "
                    + startdate + (localRtc ? " (the guest's local time)" : "")
                    + " applies from the next cold start; shift the running guest now with:"
                    + " time-shift apply " + vmid);
            if (notesFull != null) {
                out.println(notesFull);
            }
            if (policy.mode() == Mode.CONTINUE) {
                out.println("note: mode continue resumes from the guest time at the last stop; the new date is used when no"
                        + " stop time is recorded");
            }
            out.flush();
        }
    }

    /** What the last apply learned of the guest's zone; null when nothing (or the state is unreadable). */
    private GuestRtc.Learned learnedZone(int vmid) {
        try {
            return new StateStore(paths).read(vmid).guestZone();
        } catch (TimeShiftException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    static void printText(int vmid, Map<String, Object> report, PrintWriter out) {
        out.println("VM " + vmid + ": certificate validity windows, probed from inside the guest");
        if (report.get("targets") instanceof List<?> ts) {
            for (Object o : ts) {
                if (!(o instanceof Map<?, ?> t)) {
                    continue;
                }
                Object w = t.get("window");
                String text = t.get("error") != null ? "error: " + t.get("error")
                        : w instanceof Map<?, ?> wm ? wm.get("notBefore") + " .. " + wm.get("notAfter") : "no window (its own chain never is valid at once)";
                out.println("  " + t.get("target") + "  " + text);
            }
        }
        Object w = report.get("window");
        out.println("common window: " + (w instanceof Map<?, ?> wm ? wm.get("notBefore") + " .. " + wm.get("notAfter") : "none"));
        out.println("suggested date: " + (report.get("suggested") == null ? "none" : report.get("suggested")));
        if (report.get("conflicts") instanceof List<?> cs) {
            for (Object o : cs) {
                if (o instanceof Map<?, ?> c) {
                    Object targets = c.get("targets");
                    out.println("conflict: " + (targets instanceof List<?> l ? String.join(", ", (List<String>) l) : targets) + ": "
                            + c.get("reason") + " (they need separate VMs)");
                }
            }
        }
    }
}

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
import io.timeshift.common.time.Whens;
import io.timeshift.host.vmconfig.ConfigChange;
import io.timeshift.host.vmconfig.VmLocator;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.VmConfigView;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.pve.qga.VmNotRunningException;

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
 * {@code guest-exec} (the guest is where the BMCs are reachable from) and returns its result;
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

    /** What the guest's plan said: its report (rendered by the CLI), the exit code it maps to, and what {@link #apply} needs. */
    public static final class Plan {
        private final int vmid;
        private final Map<String, Object> report;
        private final int exitCode;
        private final PolicyStore store;
        private final Policy policy;
        private final String policyText;
        private final List<String> targets;

        Plan(int vmid, Map<String, Object> report, int exitCode, PolicyStore store, Policy policy, String policyText,
             List<String> targets) {
            this.vmid = vmid;
            this.report = report;
            this.exitCode = exitCode;
            this.store = store;
            this.policy = policy;
            this.policyText = policyText;
            this.targets = targets;
        }

        public int vmid() {
            return vmid;
        }

        /** time-shift-guest plan's JSON object: targets, window, suggested, conflicts. */
        public Map<String, Object> report() {
            return report;
        }

        /** 0, 1 (no common window) or 3 (a target could not be probed). */
        public int exitCode() {
            return exitCode;
        }
    }

    /**
     * Probes the targets from inside the guest. With {@code forApply} the policy must exist, have a date,
     * and the policy directory be writable, all checked before the guest is asked.
     */
    public Plan plan(int vmid, List<String> targetArgs, boolean forApply) {
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
        if (forApply) {
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
        int rc = r.exitCode() == 0 ? 0 : r.exitCode() == 1 ? TimeShiftException.CHECK_FAILED : TimeShiftException.ENVIRONMENT;
        return new Plan(vmid, report, rc, store, policy.orElse(null), policyText.orElse(null), targets);
    }

    /**
     * What {@code --apply} did for the VM: nothing ({@code changed} null: the plan had no usable
     * suggestion), or the date written; {@code exitCode} is the command's (1 without a suggestion unless
     * the plan failed otherwise).
     */
    public record Applied(int vmid, int exitCode, DateChange changed) {
    }

    /**
     * The suggested date written: the policy before and after (summaries), the startdate set (in the
     * guest's local time when {@code guestLocalTime}), why the Notes stay without the time-shift line (null:
     * the line went in), whether the policy is mode continue (the date is used only without a recorded
     * stop), and the warning line when the audit entry could not be written (null when it was).
     */
    public record DateChange(String policyBefore, String policyAfter, String startdate, boolean guestLocalTime,
                             String notesLine, boolean modeContinue, String auditWarning) {
    }

    /**
     * {@code --apply}, after the plan was shown: writes its suggested date into the policy, then startdate
     * and the Notes line in one config update; undoes the policy when that fails.
     *
     * @throws Rollback.Failed when the config update failed (the policy was put back)
     */
    public Applied apply(Plan plan) {
        int vmid = plan.vmid;
        int rc = plan.exitCode;
        Object suggested = plan.report.get("suggested");
        if (rc != 0 || !(suggested instanceof String s)) {
            return new Applied(vmid, rc == 0 ? TimeShiftException.CHECK_FAILED : rc, null);
        }
        Instant date = Whens.parse(s, "suggested date from time-shift-guest plan");
        byte[] previous = plan.policyText.getBytes(StandardCharsets.UTF_8);
        return new Applied(vmid, 0, applyDate(vmid, plan.store, plan.policy, previous, date, plan.targets));
    }

    /** Writes the date into the policy, then startdate and the Notes line in one config update; undoes the policy on failure. */
    private DateChange applyDate(int vmid, PolicyStore store, Policy old, byte[] previous, Instant date, List<String> targets) {
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
            String notesLine = change.notesLine(vmid, conf.description().orElse(""), policy);
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
                throw Rollback.run(vmid, undo, e);
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("from", old.summary());
            details.put("to", policy.summary());
            details.put("targets", targets);
            details.put("config", new LinkedHashMap<>(change.changes()));
            String auditWarning = new AuditLog(paths.auditLog(), clock)
                    .appendOrWarn(Actor.of(env), vmid, "plan-apply", details).orElse(null);
            return new DateChange(old.summary(), policy.summary(), startdate, localRtc, notesLine, policy.mode() == Mode.CONTINUE,
                    auditWarning);
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
}

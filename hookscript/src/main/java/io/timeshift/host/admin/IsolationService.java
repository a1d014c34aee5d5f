package io.timeshift.host.admin;

import io.timeshift.common.error.EnvironmentException;

import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.env.LocalNode;
import io.timeshift.host.env.Pmxcfs;
import io.timeshift.host.io.AtomicFiles;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyParser;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.vmconfig.ConfigChange;
import io.timeshift.host.vmconfig.VmLocator;
import io.timeshift.pve.api.FirewallApi;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.VmConfigView;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code time-shift isolate <vmid> on|off} and the isolation step of {@code enable --isolate}: says what
 * the firewall changes are ({@link Isolation}; {@link #previewOn}, {@link #previewOff}), then, once the
 * admin confirmed, makes them through the Proxmox API ({@link #on}, {@link #off}), records what was there
 * in the policy's {@code original.firewall}, and undoes everything on failure. Returns typed values; the
 * cli shows them.
 */
public final class IsolationService {
    private final HostPaths paths;
    private final Map<String, String> env;
    private final Clock clock;
    private final Supplier<PveClient> pve;
    private final Isolation.Resolver resolver;

    public IsolationService(HostPaths paths, Map<String, String> env, Clock clock, Supplier<PveClient> pve,
                            Isolation.Resolver resolver) {
        this.paths = paths;
        this.env = env;
        this.clock = clock;
        this.pve = pve;
        this.resolver = resolver;
    }

    /** The preview of isolating VM {@code vmid} for {@code targets} (enable shows it before its policy exists). */
    public IsolationPreview.Firewall preview(int vmid, List<String> targets, List<String> dns) {
        List<String> t = TargetArgs.parse(targets);
        requireTargets(vmid, t);
        List<Isolation.Endpoint> eps = Isolation.resolve(t, resolver);
        Isolation.Desired d = Isolation.desired(eps, dns);
        String node = LocalNode.name(paths.pveDir());
        try (PveClient client = pve.get()) {
            VmConfigView conf = VmLocator.config(client, node, vmid, "enable " + vmid + " --isolate ...", false);
            FirewallApi fw = FirewallApi.vm(client, node, vmid);
            boolean recorded = false;
            try {
                recorded = new PolicyStore(paths).read(vmid).map(Isolation::isolated).orElse(false);
            } catch (TimeShiftException e) {
                recorded = false; // enable replaces an invalid policy; say so there
            }
            for (FirewallApi.IpSet s : fw.ipsets()) {
                if (s.name().equals(Isolation.IPSET) && !recorded) {
                    throw new EnvironmentException("VM " + vmid + " already has a firewall IP set named "
                            + Isolation.IPSET + " that time-shift did not record; rename or delete it (Firewall → IPSet of VM "
                            + vmid + "), then run again; nothing was changed");
                }
            }
            Isolation.Plan plan = Isolation.plan(vmid, fw.options(), conf, d, eps);
            return new IsolationPreview.Firewall(vmid, plan, cluster(client));
        }
    }

    /**
     * What {@code isolate <vmid> on} will change: the policy's targets (resolved now) become the only way
     * out of the VM. {@code withCluster} false leaves out the look at the datacenter firewall (enable
     * showed it before its one confirmation).
     */
    public IsolationPreview.On previewOn(int vmid, List<String> dns, boolean withCluster) {
        PolicyStore store = new PolicyStore(paths);
        String text = store.readText(vmid).orElseThrow(() -> new InvalidInputException("VM " + vmid + " has no time-shift policy;"
                + " enable it first: time-shift enable " + vmid + " --date <when> --target <bmc> --isolate"));
        Policy policy = PolicyParser.parse(text, vmid, store.file(vmid).toString());
        requireTargets(vmid, policy.targets());
        List<Isolation.Endpoint> eps = Isolation.resolve(policy.targets(), resolver);
        Isolation.Desired d = Isolation.desired(eps, dns);
        String node = LocalNode.name(paths.pveDir());
        try (PveClient client = pve.get()) {
            VmConfigView conf = VmLocator.config(client, node, vmid, "isolate " + vmid + " on", false);
            FirewallApi fw = FirewallApi.vm(client, node, vmid);
            Map<String, Object> previous = policy.original().firewall();
            Isolation.Undo undo = previous == null ? null : Isolation.undo(vmid, previous);
            Isolation.Plan plan = Isolation.plan(vmid, fw.options(), conf, d, eps);
            IsolationPreview.Cluster cluster = withCluster ? cluster(client) : null;
            return new IsolationPreview.On(new IsolationPreview.Firewall(vmid, plan, cluster), undo, policy, text, d,
                    previous, conf);
        }
    }

    /** Whether the policies can be written: the check before the admin is asked. */
    public void requireWritable() {
        Pmxcfs.requireWritable(paths.policyDir(), "nothing was changed");
    }

    /** Makes the changes of {@link #previewOn} (once confirmed); on failure undoes them ({@link Progress#rolledBack}). */
    public IsolationResult.On on(IsolationPreview.On p, Progress progress) {
        int vmid = p.vmid();
        Policy policy = p.policy;
        Isolation.Desired d = p.desired;
        Map<String, Object> previous = p.previous;
        PolicyStore store = new PolicyStore(paths);
        String node = LocalNode.name(paths.pveDir());
        try (PveClient client = pve.get()) {
            VmConfigView conf = p.conf;
            Deque<EnableService.Undo> undo = new ArrayDeque<>();
            Map<String, Object> record;
            boolean previousRemoved = false;
            try {
                if (previous != null) {
                    previousRemoved = true; // from the first call on: a removal that fails halfway has removed some
                    Isolation.restoreFirewall(client, node, vmid, previous);
                    conf = client.node(node).qemu(vmid).config();
                }
                record = Isolation.apply(client, node, vmid, conf, d, undo);
                if (previous != null && previous.get("nets") instanceof Map<?, ?> oldNets) {
                    // the NICs kept firewall=1: what they were before the FIRST isolation stays the record
                    @SuppressWarnings("unchecked")
                    Map<String, Object> nets = (Map<String, Object>) record.get("nets");
                    Map<String, Object> merged = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> e : oldNets.entrySet()) {
                        merged.put(String.valueOf(e.getKey()), e.getValue());
                    }
                    for (Map.Entry<String, Object> e : nets.entrySet()) {
                        merged.putIfAbsent(e.getKey(), e.getValue());
                    }
                    record.put("nets", merged);
                }
                writePolicy(store, policy.withOriginal(policy.original().withFirewall(record)), p.text, undo);
            } catch (RuntimeException e) {
                Rollback.Failed f = Rollback.run(vmid, undo, e, !previousRemoved ? null
                        : "the previous isolation's firewall entries were being replaced and may be removed already, so VM " + vmid
                        + " may NOT be isolated now; its policy still records them: time-shift isolate " + vmid + " on makes them"
                        + " again");
                for (String step : f.rolledBack()) {
                    progress.rolledBack(step);
                }
                throw f.error();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("firewall", record);
            details.put("targets", policy.targets());
            List<String> warnings = new ArrayList<>();
            audit(vmid, "isolate-on", details, warnings);
            return new IsolationResult.On(vmid, new ArrayList<>(d.members().keySet()), d.ports(), d.dns(), record, warnings);
        }
    }

    /** What {@code isolate <vmid> off} will put back: what isolation changed (the admin's own rules and IP sets stay). */
    public IsolationPreview.Off previewOff(int vmid) {
        PolicyStore store = new PolicyStore(paths);
        Optional<String> text = store.readText(vmid);
        if (text.isEmpty()) {
            throw new InvalidInputException("VM " + vmid + " has no time-shift policy, so nothing records an isolation to undo");
        }
        Policy policy = PolicyParser.parse(text.get(), vmid, store.file(vmid).toString());
        Map<String, Object> record = policy.original().firewall();
        if (record == null) {
            return new IsolationPreview.NotIsolated(vmid);
        }
        String node = LocalNode.name(paths.pveDir());
        try (PveClient client = pve.get()) {
            VmConfigView conf = VmLocator.config(client, node, vmid, "isolate " + vmid + " off", false);
            ConfigChange change = new ConfigChange(conf);
            Isolation.restoreNics(change, conf, record);
            return new IsolationPreview.Undo(vmid, Isolation.undo(vmid, record), conf.digest(), policy, text.get(),
                    record, change);
        }
    }

    /** Makes the changes of {@link #previewOff} (once confirmed); on failure undoes them ({@link Progress#rolledBack}). */
    public IsolationResult.Off off(IsolationPreview.Undo p, Progress progress) {
        int vmid = p.vmid();
        Policy policy = p.policy;
        ConfigChange change = p.change;
        PolicyStore store = new PolicyStore(paths);
        String node = LocalNode.name(paths.pveDir());
        try (PveClient client = pve.get()) {
            Isolation.Restored done;
            Deque<EnableService.Undo> undo = new ArrayDeque<>();
            try {
                done = Isolation.restoreFirewall(client, node, vmid, p.record);
                writePolicy(store, policy.withOriginal(policy.original().withFirewall(null)), p.text, undo);
                if (!change.isEmpty()) {
                    client.node(node).qemu(vmid).updateConfig(change.update());
                }
            } catch (RuntimeException e) {
                Rollback.Failed f = Rollback.run(vmid, undo, e, "the isolation's firewall entries may be removed already; its"
                        + " policy still records them: time-shift isolate " + vmid + " off finishes the undo");
                for (String step : f.rolledBack()) {
                    progress.rolledBack(step);
                }
                throw f.error();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("restored", p.record);
            details.put("config", new LinkedHashMap<>(change.changes()));
            List<String> warnings = new ArrayList<>();
            audit(vmid, "isolate-off", details, warnings);
            return new IsolationResult.Off(vmid, done, new LinkedHashMap<>(change.changes()), warnings);
        }
    }

    private static void requireTargets(int vmid, List<String> targets) {
        if (targets.isEmpty()) {
            throw new InvalidInputException("VM " + vmid + ": isolation needs the BMCs the VM is for (--target <bmc>); without"
                    + " them it could reach nothing");
        }
    }

    /** The datacenter firewall's state (isolation has no effect until it is on). */
    static IsolationPreview.Cluster cluster(PveClient client) {
        try {
            FirewallApi.Options o = FirewallApi.clusterOptions(client);
            return o.flag("enable", false) ? IsolationPreview.Cluster.ON : IsolationPreview.Cluster.OFF;
        } catch (TimeShiftException e) {
            return IsolationPreview.Cluster.unreadable(ErrorLine.of(e));
        }
    }

    private static void writePolicy(PolicyStore store, Policy p, String previous, Deque<EnableService.Undo> undo) {
        store.write(p);
        byte[] prev = previous.getBytes(StandardCharsets.UTF_8);
        undo.push(new EnableService.Undo("restore the previous policy " + store.file(p.vmid()), "time-shift enable " + p.vmid()
                + " again", () -> AtomicFiles.write(store.file(p.vmid()), prev, AtomicFiles.MODE_0640)));
    }

    /**
     * Records {@code action} in the audit log; the change is made already, so a failure to record it is a
     * warning line added to {@code warnings}, not a failure. (The one call of the audit log here.)
     */
    private void audit(int vmid, String action, Map<String, Object> details, List<String> warnings) {
        new AuditLog(paths.auditLog(), clock).appendOrWarn(Actor.of(env), vmid, action, details).ifPresent(warnings::add);
    }
}

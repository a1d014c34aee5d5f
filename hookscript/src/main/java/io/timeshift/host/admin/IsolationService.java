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

import java.io.PrintWriter;
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
 * {@code time-shift isolate <vmid> on|off} and the isolation step of {@code enable --isolate}: shows
 * the firewall changes ({@link Isolation}), confirms, makes them through the Proxmox API, records what
 * was there in the policy's {@code original.firewall}, and undoes everything on failure.
 */
public final class IsolationService {
    private final HostPaths paths;
    private final Map<String, String> env;
    private final Clock clock;
    private final Supplier<PveClient> pve;
    private final Prompt prompt;
    private final Isolation.Resolver resolver;
    private final PrintWriter out;

    public IsolationService(HostPaths paths, Map<String, String> env, Clock clock, Supplier<PveClient> pve, Prompt prompt,
                            Isolation.Resolver resolver, PrintWriter out) {
        this.paths = paths;
        this.env = env;
        this.clock = clock;
        this.pve = pve;
        this.prompt = prompt;
        this.resolver = resolver;
        this.out = out;
    }

    /** The preview of isolating VM {@code vmid} for {@code targets} (enable shows it before its policy exists). */
    public List<String> preview(int vmid, List<String> targets, List<String> dns) {
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
                    throw new io.timeshift.common.error.EnvironmentException("VM " + vmid + " already has a firewall IP set named "
                            + Isolation.IPSET + " that time-shift did not record; rename or delete it (Firewall → IPSet of VM "
                            + vmid + "), then run again; nothing was changed");
                }
            }
            List<String> lines = Isolation.preview(vmid, fw.options(), conf, d, eps);
            lines.addAll(clusterWarning(client));
            return lines;
        }
    }

    /** {@code isolate <vmid> on}: the policy's targets (resolved now) become the only way out of the VM. */
    public int on(int vmid, List<String> dns, boolean dryRun, boolean yes) {
        return on(vmid, dns, dryRun, yes, true);
    }

    /** {@link #on}; {@code show} false leaves out the preview (enable showed it before its one confirmation). */
    public int on(int vmid, List<String> dns, boolean dryRun, boolean yes, boolean show) {
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
            if (previous != null && show) {
                out.println("VM " + vmid + " is isolated already; its firewall entries are made again for the policy's targets");
                Isolation.restorePreview(vmid, previous).forEach(out::println);
            }
            List<String> preview = Isolation.preview(vmid, fw.options(), conf, d, eps);
            if (show) {
                preview.forEach(out::println);
                clusterWarning(client).forEach(out::println);
            }
            int gate = prompt.gate(dryRun, yes, out,
                    () -> Pmxcfs.requireWritable(paths.policyDir(), "nothing was changed"));
            if (gate != Prompt.GO) {
                return gate;
            }
            Deque<EnableService.Undo> undo = new ArrayDeque<>();
            Map<String, Object> record;
            try {
                if (previous != null) {
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
                writePolicy(store, policy.withOriginal(policy.original().withFirewall(record)), text, undo);
            } catch (RuntimeException e) {
                Rollback.Failed f = Rollback.run(vmid, undo, e); // what was undone is data now: shown here until this prints no more
                f.rolledBack().forEach(step -> out.println("rolled back: " + step));
                out.flush();
                throw f.error();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("firewall", record);
            details.put("targets", policy.targets());
            audit(vmid, "isolate-on", details);
            out.println("VM " + vmid + ": isolated: outbound traffic only to " + String.join(", ", d.members().keySet())
                    + " on tcp/" + joinPorts(d) + (d.dns().isEmpty() ? "" : " and DNS to " + String.join(", ", d.dns()))
                    + " (IP set " + Isolation.IPSET + ", policy_out DROP); undo with: time-shift isolate " + vmid + " off");
            out.flush();
            return 0;
        }
    }

    /** {@code isolate <vmid> off}: puts back what isolation changed (the admin's own rules and IP sets stay). */
    public int off(int vmid, boolean dryRun, boolean yes) {
        PolicyStore store = new PolicyStore(paths);
        Optional<String> text = store.readText(vmid);
        if (text.isEmpty()) {
            throw new InvalidInputException("VM " + vmid + " has no time-shift policy, so nothing records an isolation to undo");
        }
        Policy policy = PolicyParser.parse(text.get(), vmid, store.file(vmid).toString());
        Map<String, Object> record = policy.original().firewall();
        if (record == null) {
            out.println("VM " + vmid + " is not isolated; nothing to do");
            out.flush();
            return 0;
        }
        String node = LocalNode.name(paths.pveDir());
        try (PveClient client = pve.get()) {
            VmConfigView conf = VmLocator.config(client, node, vmid, "isolate " + vmid + " off", false);
            ConfigChange change = new ConfigChange(conf);
            Isolation.restoreNics(change, conf, record);
            Isolation.restorePreview(vmid, record).forEach(out::println);
            out.println("config of VM " + vmid + " (one update, digest " + conf.digest() + "):");
            if (change.isEmpty()) {
                out.println("   (no change)");
            } else {
                change.diff("  ").forEach(out::println);
            }
            int gate = prompt.gate(dryRun, yes, out,
                    () -> Pmxcfs.requireWritable(paths.policyDir(), "nothing was changed"));
            if (gate != Prompt.GO) {
                return gate;
            }
            List<String> done = Isolation.restoreFirewall(client, node, vmid, record);
            Deque<EnableService.Undo> undo = new ArrayDeque<>();
            try {
                writePolicy(store, policy.withOriginal(policy.original().withFirewall(null)), text.get(), undo);
                if (!change.isEmpty()) {
                    client.node(node).qemu(vmid).updateConfig(change.update());
                }
            } catch (RuntimeException e) {
                Rollback.Failed f = Rollback.run(vmid, undo, e); // what was undone is data now: shown here until this prints no more
                f.rolledBack().forEach(step -> out.println("rolled back: " + step));
                out.flush();
                throw f.error();
            }
            for (String l : done) {
                out.println("VM " + vmid + ": " + l);
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("restored", record);
            details.put("config", new LinkedHashMap<>(change.changes()));
            audit(vmid, "isolate-off", details);
            out.println("VM " + vmid + ": isolation removed; its firewall and network devices are as before");
            out.flush();
            return 0;
        }
    }

    private static void requireTargets(int vmid, List<String> targets) {
        if (targets.isEmpty()) {
            throw new InvalidInputException("VM " + vmid + ": isolation needs the BMCs the VM is for (--target <bmc>); without"
                    + " them it could reach nothing");
        }
    }

    private static String joinPorts(Isolation.Desired d) {
        List<String> p = new ArrayList<>();
        for (int port : d.ports()) {
            p.add(Integer.toString(port));
        }
        return String.join(",", p);
    }

    /** A warning line when the datacenter firewall is off (isolation then has no effect until it is turned on). */
    static List<String> clusterWarning(PveClient client) {
        try {
            FirewallApi.Options o = FirewallApi.clusterOptions(client);
            if (!o.flag("enable", false)) {
                return List.of("warning: the datacenter firewall is off, so the VM firewall takes no effect until it is on:"
                        + " pvesh set /cluster/firewall/options --enable 1 (allow SSH/8006 to the nodes first)");
            }
            return List.of();
        } catch (TimeShiftException e) {
            return List.of("note: the datacenter firewall options could not be read (" + ErrorLine.of(e) + ")");
        }
    }

    private static void writePolicy(PolicyStore store, Policy p, String previous, Deque<EnableService.Undo> undo) {
        store.write(p);
        byte[] prev = previous.getBytes(StandardCharsets.UTF_8);
        undo.push(new EnableService.Undo("restore the previous policy " + store.file(p.vmid()), "time-shift enable " + p.vmid()
                + " again", () -> AtomicFiles.write(store.file(p.vmid()), prev, AtomicFiles.MODE_0640)));
    }

    private void audit(int vmid, String action, Map<String, Object> details) {
        new AuditLog(paths.auditLog(), clock).appendOrWarn(Actor.of(env), vmid, action, details).ifPresent(out::println);
    }
}

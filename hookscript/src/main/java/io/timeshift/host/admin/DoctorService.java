package io.timeshift.host.admin;

import io.timeshift.host.cluster.ClusterStatusService;
import io.timeshift.host.cluster.SnippetCoverage;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.env.LocalNode;
import io.timeshift.host.finding.Finding;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.vmconfig.ConfigEdits;
import io.timeshift.pve.api.ClusterResource;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.PveVersion;
import io.timeshift.pve.api.ResourceType;
import io.timeshift.pve.api.StorageConfig;
import io.timeshift.pve.api.VmConfigView;
import io.timeshift.pve.api.error.PveNotFoundException;
import io.timeshift.pve.config.VmConfig;
import io.timeshift.pve.config.VmConfigParser;
import io.timeshift.common.error.TimeShiftException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * {@code time-shift doctor}: what must be true for time-shift to work, each problem with the exact
 * command that fixes it, as a {@link DoctorReport} (exit 1 when anything is wrong; the CLI renders it).
 *
 * <p>{@link #doctor} (on a node): reads VM configs from pmxcfs files (cheap, every node's VMs), asks
 * the API only for the Proxmox version and the storages in use, checks this node's files, and asks
 * {@link SnippetCoverage} whether every other node could start the VMs with a policy (root@pam: PVE
 * lists snippet volumes only to root or with Datastore.Allocate).
 *
 * <p>{@link #doctorRemote} ({@code --remote}): only what the API shows: the version, the VMs with a
 * policy (tagged, or with a policy file when {@code /etc/pve} is readable here) and their hookscript,
 * the storages with the snippets content type, and {@link SnippetCoverage} on every node. The local
 * checks are skipped with a note.
 *
 * <p>The checks that stand alone are {@link DoctorCheck} classes ({@link JavaCheck}, {@link HostConfigCheck},
 * {@link WritableDirsCheck}); the ones below share the VM configs, policies and API answers they read.
 *
 * <p>Findings that are not problems (a node offline, a listing the caller may not see) are notes:
 * printed, in the JSON's {@code notes}, never exit 1. Lines of the config of a VM with a policy or our
 * hookscript that Proxmox skips with a warning ({@link VmConfig#warnings()}) are warnings: printed, in
 * the JSON's {@code warnings}, never exit 1.
 */
public final class DoctorService {
    /** One check: ok, or the problem and its fix. */
    public record Check(String check, boolean ok, String detail, String fix) {
    }

    /** A VM config file: which node's directory it is in, and whether that is this node. */
    private record Conf(int vmid, String node, boolean local, Path file) {
    }

    private final HostPaths paths;
    private final Supplier<PveClient> pve;
    private final Supplier<PveClient> root;
    private Clock clock = Clock.systemUTC();

    /**
     * @param pve  this node's API (the api-setup token, else pvesh): version and storages
     * @param root root@pam (pvesh): the snippet listings of every node
     */
    public DoctorService(HostPaths paths, Supplier<PveClient> pve, Supplier<PveClient> root) {
        this.paths = paths;
        this.pve = pve;
        this.root = root;
    }

    /** The clock that tells a past-dated policy (isolation advice); the system clock unless set. */
    public DoctorService clock(Clock c) {
        this.clock = c;
        return this;
    }

    /**
     * Isolation ({@link Isolation}): an isolated VM of this node whose firewall cannot take effect is a
     * problem (datacenter firewall off, VM firewall or outbound DROP gone, a NIC without firewall=1);
     * a past-dated VM that is not isolated gets a note advising it.
     */
    private void isolation(PveClient client, String node, Map<Integer, Policy> policies, Map<Integer, Conf> confs,
                           List<Check> checks, List<String> notes) {
        java.time.Instant now = clock.instant();
        io.timeshift.pve.api.FirewallApi.Options cluster = null;
        String clusterError = null;
        boolean clusterRead = false;
        for (Map.Entry<Integer, Policy> e : policies.entrySet()) {
            int vmid = e.getKey();
            Policy p = e.getValue();
            Conf c = confs.get(vmid);
            if (c == null || !c.local()) {
                continue;
            }
            if (!Isolation.isolated(p)) {
                for (Finding f : Isolation.problems(vmid, p, now, null, null, null, null)) {
                    notes.add(f.line());
                }
                continue;
            }
            if (client == null) {
                notes.add("VM " + vmid + "'s isolation was not checked: Proxmox did not answer");
                continue;
            }
            if (!clusterRead) {
                clusterRead = true;
                try {
                    cluster = io.timeshift.pve.api.FirewallApi.clusterOptions(client);
                } catch (TimeShiftException ex) {
                    clusterError = ErrorLine.of(ex);
                }
            }
            io.timeshift.pve.api.FirewallApi.Options vm;
            io.timeshift.pve.api.VmConfigView conf;
            try {
                vm = io.timeshift.pve.api.FirewallApi.vm(client, node, vmid).options();
                conf = client.node(node).qemu(vmid).config();
            } catch (TimeShiftException ex) {
                checks.add(bad("isolation", "VM " + vmid + ": cannot read its firewall: " + ErrorLine.of(ex),
                        "pvesh get /nodes/" + node + "/qemu/" + vmid + "/firewall/options"));
                continue;
            }
            List<Finding> problems = Isolation.problems(vmid, p, now, cluster, clusterError, vm, conf);
            if (problems.isEmpty()) {
                checks.add(ok("isolation", "VM " + vmid + " is " + Isolation.statusText(p)));
            }
            for (Finding f : problems) {
                checks.add(bad("isolation", f.problem(), f.fix()));
            }
        }
    }

    /** On a node: this node's files and, through the API, the cluster. */
    public DoctorReport doctor() {
        List<Check> checks = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        String node = LocalNode.name(paths.pveDir());
        checks.addAll(JavaCheck.running().run());
        checks.addAll(new HostConfigCheck(paths.configFile()).run());

        PveClient client = null;
        try {
            client = pve.get();
            PveVersion pv = client.version();
            checks.add(ok("proxmox", "Proxmox VE " + pv.version() + " on node " + node));
        } catch (TimeShiftException e) {
            checks.add(bad("proxmox", "cannot ask Proxmox: " + e.getMessage(), "run time-shift doctor as root on a Proxmox VE node"));
            if (client != null) {
                client.close();
            }
            client = null;
        }
        try {
            // ---- pmxcfs and local directories
            checks.addAll(new WritableDirsCheck(paths).run());

            // ---- policies
            PolicyStore store = new PolicyStore(paths);
            Map<Integer, Conf> confs = configFiles(node);
            Map<Integer, Policy> policies = policies(store, store.vmids(), confs::containsKey, "does not exist", checks);

            // ---- hookscripts of VMs: snippets present and executable where Proxmox will look
            Set<String> storagesInUse = new LinkedHashSet<>();
            Set<String> policyVolids = new LinkedHashSet<>();
            Map<String, StorageLookup> storageCache = new LinkedHashMap<>();
            for (Conf c : confs.values()) {
                VmConfig vc;
                try {
                    vc = VmConfigParser.parseWithoutDigest(c.vmid(), c.file());
                } catch (TimeShiftException e) {
                    continue; // Proxmox's own problem, not ours to report
                }
                String hook = vc.hookscript().orElse(null);
                Policy policy = policies.get(c.vmid());
                boolean ours = ConfigEdits.isOurs(hook);
                if (policy != null || ours) {
                    for (String w : vc.warnings()) {
                        warnings.add("VM " + c.vmid() + ": " + w + " (Proxmox skips it as well; fix or remove the line)");
                    }
                }
                if (policy != null && !ours) {
                    checks.add(bad("hookscript", "VM " + c.vmid() + " has a policy but its hookscript is "
                            + (hook == null ? "not set" : hook), "time-shift enable " + c.vmid() + " --date <when> --yes"
                            + (hook == null ? "" : " --chain")));
                }
                if (ours) {
                    storagesInUse.add(hook.substring(0, hook.indexOf(':')));
                    if (policy != null) {
                        policyVolids.add(hook.strip());
                    }
                }
                List<String> scripts = new ArrayList<>();
                // a local VM starts here; one with our hook may migrate here (local snippets must be on every node)
                if (hook != null && (c.local() || ours)) {
                    scripts.add(hook);
                }
                if (policy != null && policy.chain() != null && c.local()) {
                    scripts.add(policy.chain());
                }
                for (String volid : scripts) {
                    Path p = resolve(volid, client, storageCache);
                    if (p == null) {
                        checks.add(bad("snippet", "cannot tell where " + volid + " (VM " + c.vmid() + ") lives on this node",
                                "pvesm path " + volid));
                        continue;
                    }
                    SnippetInstaller.Problem problem = SnippetInstaller.problem(p);
                    if (problem == null) {
                        checks.add(ok("snippet", volid + " (VM " + c.vmid() + ") at " + p + " is present and executable"));
                    } else if (problem == SnippetInstaller.Problem.MISSING) {
                        checks.add(bad("snippet", "VM " + c.vmid() + ": hookscript " + volid + " is missing at " + p
                                + " on this node; Proxmox refuses to start the VM here", ConfigEdits.isOurs(volid)
                                ? "install -m 0755 " + SnippetInstaller.INSTALLED_COPY + " " + p
                                : "restore " + p + ", or detach it: qm set " + c.vmid() + " --delete hookscript"));
                    } else {
                        checks.add(bad("snippet", "VM " + c.vmid() + ": hookscript " + volid + " at " + p + " is not executable;"
                                + " Proxmox refuses to start the VM", "chmod 0755 " + p));
                    }
                }
            }

            // ---- storages holding our snippet allow the snippets content type
            Set<String> badStorages = new LinkedHashSet<>();
            for (String id : storagesInUse) {
                StorageLookup l = storage(id, client, storageCache);
                if (l == null) {
                    continue;
                }
                if (l.error() != null) {
                    checks.add(bad("storage", "cannot read storage " + id + ": " + l.error(), "check that Proxmox answers"
                            + " and the storage is defined: pvesh get /storage/" + id + " (and pvesm status)"));
                    badStorages.add(id);
                } else if (!storageCheck(id, l.config(), checks)) {
                    badStorages.add(id);
                }
            }

            // ---- every other node can start the VMs with a policy (this node's files were checked above)
            if (client == null) {
                notes.add("the snippet on the other nodes was not checked: Proxmox did not answer");
            } else {
                Set<String> volids = usable(policyVolids, badStorages);
                if (volids.isEmpty()) {
                    coverage(null, volids, node, checks, notes);
                } else {
                    try (PveClient asRoot = root.get()) {
                        coverage(asRoot, volids, node, checks, notes);
                    } catch (TimeShiftException e) {
                        checks.add(bad("coverage", "cannot ask Proxmox as root@pam for the snippets of the other nodes: "
                                + ErrorLine.of(e), "run time-shift doctor as root on a Proxmox VE node"));
                    }
                }
            }
            isolation(client, node, policies, confs, checks, notes);
        } finally {
            if (client != null) {
                client.close();
            }
        }
        return new DoctorReport(node, null, checks, notes, warnings);
    }

    /**
     * With {@code --remote}: what the API shows (version, VMs with a policy and their hookscript,
     * storages, the snippet on every node); this machine's files are not looked at.
     *
     * @param client   the remote API; a failing first call (TLS, credentials) ends the command with its exit code
     * @param endpoint for the messages
     */
    public DoctorReport doctorRemote(PveClient client, String endpoint) {
        List<Check> checks = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        PveVersion pv = client.version(); // nothing else can be checked without it: its error is the answer
        checks.add(ok("proxmox", "Proxmox VE " + pv.version() + " at " + endpoint));
        notes.add("with --remote only the cluster is checked: Java, " + paths.configFile().getFileName()
                + ", pmxcfs quorum, the state and log directories and the snippet files belong to each node"
                + " (run time-shift doctor on each node for them)");

        // ---- VMs with a policy: tagged, plus policy files when /etc/pve is readable here
        Map<Integer, ClusterResource> vms = new HashMap<>();
        for (ClusterResource r : client.clusterResources(ResourceType.VM)) {
            if (r.vmid() > 0) {
                vms.put(r.vmid(), r);
            }
        }
        Set<Integer> policyVms = new java.util.TreeSet<>();
        for (ClusterResource r : vms.values()) {
            if (r.hasTag(ClusterStatusService.TAG) && !r.template()) {
                policyVms.add(r.vmid());
            }
        }
        if (Files.isDirectory(paths.policyDir()) && Files.isReadable(paths.policyDir())) {
            PolicyStore store = new PolicyStore(paths);
            List<Integer> ids = store.vmids();
            policies(store, ids, vms::containsKey, "is not in the cluster", checks);
            for (int id : ids) {
                if (vms.containsKey(id)) {
                    policyVms.add(id);
                }
            }
        } else {
            notes.add("policy files are not readable here (" + paths.policyDir() + "): VMs with a policy are those"
                    + " tagged " + ClusterStatusService.TAG);
        }
        Set<String> volids = new LinkedHashSet<>();
        for (int id : policyVms) {
            ClusterResource r = vms.get(id);
            String where = "VM " + id + " (node " + r.node() + ")";
            if (!r.isQemu()) {
                checks.add(bad("vm", where + " is a container (" + r.type() + "); time-shift works on QEMU VMs only",
                        "remove the tag " + ClusterStatusService.TAG + " from it"));
                continue;
            }
            VmConfigView conf;
            try {
                conf = client.node(r.node()).qemu(id).config();
            } catch (TimeShiftException e) {
                checks.add(bad("vm", where + ": config not readable: " + ErrorLine.of(e),
                        "check that " + r.node() + " is up and the API user has VM.Audit on /vms/" + id));
                continue;
            }
            String hook = conf.hookscript().orElse(null);
            if (ConfigEdits.isOurs(hook)) {
                volids.add(hook.strip());
                checks.add(ok("vm", where + " has a policy and runs " + hook.strip()));
            } else {
                checks.add(bad("hookscript", where + " has a time-shift policy but its hookscript is "
                        + (hook == null ? "not set" : hook), "time-shift enable " + id + " --date <when> --yes on "
                        + r.node() + (hook == null ? "" : " (with --chain to keep " + hook + ")")));
            }
        }
        if (policyVms.isEmpty()) {
            notes.add("no VM in the cluster has a time-shift policy (none is tagged " + ClusterStatusService.TAG + ")");
        }

        // ---- storages: where a snippet can go, and the ones in use allow it
        Map<String, StorageConfig> storages = new java.util.TreeMap<>();
        for (StorageConfig sc : client.storageConfig()) {
            storages.put(sc.storage(), sc);
        }
        List<String> withSnippets = storages.values().stream().filter(sc -> sc.allows("snippets") && !sc.disabled())
                .map(StorageConfig::storage).toList();
        if (withSnippets.isEmpty()) {
            StorageConfig local = storages.get("local");
            checks.add(bad("storage", "no storage allows the snippets content type, so time-shift enable has nowhere to put"
                    + " its hook snippet", local == null ? "pvesm set <dir storage> --content <its content>,snippets"
                    : "pvesm set local --content " + String.join(",", withContent(local, "snippets"))));
        } else {
            checks.add(ok("storage", "storages with the snippets content type: " + String.join(", ", withSnippets)));
        }
        Set<String> badStorages = new LinkedHashSet<>();
        for (String volid : volids) {
            String id = volid.substring(0, volid.indexOf(':'));
            if (!badStorages.contains(id) && !storageCheck(id, storages.get(id), checks)) {
                badStorages.add(id);
            }
        }

        // ---- every online node can start the VMs with a policy
        coverage(client, usable(volids, badStorages), null, checks, notes);
        return new DoctorReport(null, endpoint, checks, notes, List.of());
    }

    /**
     * Each policy file valid, or the problem and its fix; one whose VM does not exist is an orphan.
     *
     * @param vmExists whether the VM of a policy exists
     * @param missing  how the orphan's VM is missing, for the message ("does not exist")
     * @return the valid policies
     */
    private static Map<Integer, Policy> policies(PolicyStore store, List<Integer> ids, IntPredicate vmExists, String missing,
                                                 List<Check> checks) {
        Map<Integer, Policy> policies = new TreeMap<>();
        for (int id : ids) {
            try {
                store.read(id).ifPresent(p -> policies.put(id, p));
                checks.add(ok("policy", store.file(id) + " is valid"));
            } catch (TimeShiftException e) {
                checks.add(bad("policy", e.getMessage(), "re-create it: time-shift enable " + id + " --date <when> --yes"));
            }
            if (!vmExists.test(id)) {
                checks.add(bad("orphan", "policy " + store.file(id) + " belongs to no VM (VM " + id + " " + missing + ")",
                        "time-shift disable " + id + " --yes"));
            }
        }
        return policies;
    }

    /** Ok, or the problem and the pvesm command; false when the storage cannot hold the snippet. */
    private static boolean storageCheck(String id, StorageConfig sc, List<Check> checks) {
        if (sc == null) {
            checks.add(bad("storage", "storage '" + id + "' used by a time-shift hookscript does not exist",
                    "time-shift enable <vmid> --storage <existing storage> --yes"));
            return false;
        }
        if (sc.allows("snippets")) {
            checks.add(ok("storage", "storage " + id + " allows snippets"));
            return true;
        }
        checks.add(bad("storage", "storage " + id + " does not allow the snippets content type",
                "pvesm set " + id + " --content " + String.join(",", withContent(sc, "snippets"))));
        return false;
    }

    private static List<String> withContent(StorageConfig sc, String type) {
        List<String> c = new ArrayList<>(sc.content());
        c.add(type);
        return c;
    }

    /** The volumes worth looking for on the nodes: those on a storage that can hold them (else its fix comes first). */
    private static Set<String> usable(Set<String> volids, Set<String> badStorages) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : volids) {
            if (!badStorages.contains(v.substring(0, v.indexOf(':')))) {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * {@link SnippetCoverage} as doctor checks: a missing or unusable snippet is a problem with its fix; a
     * node offline or a listing the caller may not see is a note.
     *
     * @param skipNode this node on a node (its files were checked directly), else null
     */
    private static void coverage(PveClient client, Collection<String> volids, String skipNode, List<Check> checks,
                                 List<String> notes) {
        if (volids.isEmpty()) {
            notes.add("no VM with a policy runs the time-shift snippet from a usable storage: the other nodes were not"
                    + " checked for it");
            return;
        }
        SnippetCoverage.Report report;
        try {
            report = new SnippetCoverage(client).check(volids);
        } catch (TimeShiftException e) {
            checks.add(bad("coverage", "cannot tell whether the other nodes have the snippet: " + ErrorLine.of(e),
                    "run time-shift doctor as root on a Proxmox VE node"));
            return;
        }
        for (String n : report.offline()) {
            notes.add("node " + n + " was not checked for the snippet; check again when it is back, before VMs with a"
                    + " policy migrate there");
        }
        for (SnippetCoverage.Check c : report.checks()) {
            if (c.node().equals(skipNode)) {
                continue;
            }
            SnippetCoverage.Problem p = SnippetCoverage.problemOf(c);
            if (p == null) {
                checks.add(ok("coverage", "node " + c.node() + ": " + c.volid() + " is present"
                        + (c.detail().isEmpty() ? "" : " (" + c.detail() + ")")));
            } else if (c.verdict() == SnippetCoverage.Verdict.UNVERIFIABLE) {
                notes.add(p.line());
            } else {
                checks.add(bad("coverage", p.problem(), p.fix()));
            }
        }
    }

    private Path resolve(String volid, PveClient client, Map<String, StorageLookup> cache) {
        Path p = SnippetInstaller.locate(volid, paths.pveDir(), null);
        int colon = volid.indexOf(':');
        if (p != null || colon < 0) {
            return p;
        }
        StorageLookup l = storage(volid.substring(0, colon), client, cache);
        return l == null ? null : SnippetInstaller.locate(volid, paths.pveDir(), l.config());
    }

    /** A storage's config as the API gave it: null config and null error when it does not exist. */
    private record StorageLookup(StorageConfig config, String error) {
    }

    /** Null without the API; a storage that does not exist is a lookup without config, any other error one with it. */
    private static StorageLookup storage(String id, PveClient client, Map<String, StorageLookup> cache) {
        if (client == null) {
            return null;
        }
        return cache.computeIfAbsent(id, k -> {
            try {
                return new StorageLookup(client.storageConfig(k), null);
            } catch (PveNotFoundException e) {
                return new StorageLookup(null, null);
            } catch (TimeShiftException e) {
                return new StorageLookup(null, ErrorLine.of(e));
            }
        });
    }

    /** Every VM config on pmxcfs: {@code nodes/<n>/qemu-server/*.conf}, and {@code qemu-server/} (this node). */
    private Map<Integer, Conf> configFiles(String node) {
        Map<Integer, Conf> out = new TreeMap<>();
        Path nodes = paths.pveDir().resolve("nodes");
        if (Files.isDirectory(nodes)) {
            try (var ds = Files.newDirectoryStream(nodes)) {
                for (Path n : ds) {
                    String name = n.getFileName().toString();
                    scan(n.resolve("qemu-server"), name, name.equals(node), out);
                }
            } catch (IOException ignored) {
                // best effort
            }
        }
        scan(paths.pveDir().resolve("qemu-server"), node, true, out);
        return out;
    }

    private static void scan(Path dir, String node, boolean local, Map<Integer, Conf> out) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var ds = Files.newDirectoryStream(dir, "*.conf")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                String base = n.substring(0, n.length() - 5);
                if (base.matches("[1-9]\\d{2,8}")) {
                    int id = Integer.parseInt(base);
                    Conf prev = out.get(id);
                    if (prev == null || local) {
                        out.put(id, new Conf(id, node, local, p));
                    }
                }
            }
        } catch (IOException ignored) {
            // best effort
        }
    }

    static Check ok(String check, String detail) {
        return new Check(check, true, detail, null);
    }

    static Check bad(String check, String detail, String fix) {
        return new Check(check, false, detail, fix);
    }
}

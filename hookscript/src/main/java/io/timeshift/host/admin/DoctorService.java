package io.timeshift.host.admin;

import io.timeshift.host.env.HostConfig;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.hook.SnippetPaths;
import io.timeshift.host.io.Json;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.PveVersion;
import io.timeshift.pve.api.StorageConfig;
import io.timeshift.pve.config.VmConfig;
import io.timeshift.pve.config.VmConfigParser;
import io.timeshift.pve.error.TimeShiftException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@code time-shift doctor}: what must be true on this node for time-shift to work, each problem with
 * the exact command that fixes it. Reads VM configs from pmxcfs files (cheap, every node's VMs), asks
 * pvesh only for the Proxmox version and the storages in use. Exit 1 when anything is wrong.
 */
public final class DoctorService {
    /** One check: ok, or the problem and its fix. */
    public record Check(String check, boolean ok, String detail, String fix) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("check", check);
            m.put("ok", ok);
            m.put("detail", detail);
            m.put("fix", fix);
            return m;
        }
    }

    /** A VM config file: which node's directory it is in, and whether that is this node. */
    private record Conf(int vmid, String node, boolean local, Path file) {
    }

    private final HostPaths paths;
    private final Supplier<PveClient> pve;

    public DoctorService(HostPaths paths, Supplier<PveClient> pve) {
        this.paths = paths;
        this.pve = pve;
    }

    public int doctor(boolean json, PrintWriter out) {
        List<Check> checks = new ArrayList<>();
        String node = LocalNode.name(paths.pveDir());
        Runtime.Version v = Runtime.version();
        checks.add(v.feature() >= 17 ? ok("java", "Java " + v + " (" + System.getProperty("java.home") + ")")
                : bad("java", "Java " + v + " is too old (17 or later needed)", "apt install openjdk-17-jre-headless"));
        try {
            HostConfig.load(paths.configFile());
            checks.add(ok("config", Files.exists(paths.configFile()) ? paths.configFile() + " is valid"
                    : paths.configFile() + " absent: built-in defaults"));
        } catch (TimeShiftException e) {
            checks.add(bad("config", e.getMessage(), "fix the named field in " + paths.configFile()));
        }

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
            Path policyDir = paths.policyDir();
            String why = Pmxcfs.probe(Files.isDirectory(policyDir) ? policyDir : paths.pveDir());
            checks.add(why == null ? ok("pmxcfs", (Files.isDirectory(policyDir) ? policyDir : paths.pveDir()) + " is writable")
                    : bad("pmxcfs", why + " (without quorum /etc/pve is read-only)", "check the cluster quorum: pvecm status"));
            for (Path dir : List.of(paths.stateDir(), paths.logDir())) {
                if (!Files.isDirectory(dir)) {
                    checks.add(bad("dirs", dir + " does not exist (the package creates it)", "mkdir -p " + dir));
                    continue;
                }
                String w = Pmxcfs.probe(dir);
                checks.add(w == null ? ok("dirs", dir + " is writable")
                        : bad("dirs", w, "make it writable for root: chmod 0755 " + dir + " (and check the filesystem is not read-only)"));
            }

            // ---- policies
            PolicyStore store = new PolicyStore(paths);
            Map<Integer, Conf> confs = configFiles(node);
            Map<Integer, Policy> policies = new TreeMap<>();
            for (int id : store.vmids()) {
                try {
                    store.read(id).ifPresent(p -> policies.put(id, p));
                    checks.add(ok("policy", store.file(id) + " is valid"));
                } catch (TimeShiftException e) {
                    checks.add(bad("policy", e.getMessage(), "re-create it: time-shift enable " + id + " --date <when> --yes"));
                }
                if (!confs.containsKey(id)) {
                    checks.add(bad("orphan", "policy " + store.file(id) + " belongs to no VM (VM " + id + " does not exist)",
                            "time-shift disable " + id + " --yes"));
                }
            }

            // ---- hookscripts of VMs: snippets present and executable where Proxmox will look
            Set<String> storagesInUse = new LinkedHashSet<>();
            Map<String, StorageConfig> storageCache = new LinkedHashMap<>();
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
                if (policy != null && !ours) {
                    checks.add(bad("hookscript", "VM " + c.vmid() + " has a policy but its hookscript is "
                            + (hook == null ? "not set" : hook), "time-shift enable " + c.vmid() + " --date <when> --yes"
                            + (hook == null ? "" : " --chain")));
                }
                if (ours) {
                    storagesInUse.add(hook.substring(0, hook.indexOf(':')));
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
                    String problem = SnippetInstaller.problem(p);
                    if (problem == null) {
                        checks.add(ok("snippet", volid + " (VM " + c.vmid() + ") at " + p + " is present and executable"));
                    } else if (problem.equals("missing")) {
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
            for (String id : storagesInUse) {
                StorageConfig sc = storage(id, client, storageCache);
                if (sc == null) {
                    if (client != null) {
                        checks.add(bad("storage", "storage '" + id + "' used by a time-shift hookscript does not exist",
                                "time-shift enable <vmid> --storage <existing storage> --yes"));
                    }
                    continue;
                }
                if (sc.allows("snippets")) {
                    checks.add(ok("storage", "storage " + id + " allows snippets"));
                } else {
                    List<String> c = new ArrayList<>(sc.content());
                    c.add("snippets");
                    checks.add(bad("storage", "storage " + id + " does not allow the snippets content type",
                            "pvesm set " + id + " --content " + String.join(",", c)));
                }
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }

        long problems = checks.stream().filter(c -> !c.ok()).count();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", problems == 0);
            m.put("node", node);
            m.put("checks", checks.stream().map(Check::json).toList());
            out.print(new String(Json.pretty(m), StandardCharsets.UTF_8));
        } else {
            for (Check c : checks) {
                out.println((c.ok() ? "ok    " : "FAIL  ") + c.detail() + (c.ok() ? "" : " (fix: " + c.fix() + ")"));
            }
            out.println(problems == 0 ? "doctor: no problems" : "doctor: " + problems + (problems == 1 ? " problem" : " problems"));
        }
        out.flush();
        return problems == 0 ? 0 : TimeShiftException.CHECK_FAILED;
    }

    private Path resolve(String volid, PveClient client, Map<String, StorageConfig> cache) {
        Path p = SnippetPaths.resolve(volid, paths.pveDir());
        if (p != null) {
            return p;
        }
        int colon = volid.indexOf(':');
        if (colon < 0) {
            return null;
        }
        StorageConfig sc = storage(volid.substring(0, colon), client, cache);
        if (sc == null || sc.path().isEmpty()) {
            return null;
        }
        return Path.of(sc.path().get(), "snippets", volid.substring(volid.lastIndexOf('/') + 1));
    }

    private static StorageConfig storage(String id, PveClient client, Map<String, StorageConfig> cache) {
        if (client == null) {
            return null;
        }
        if (cache.containsKey(id)) {
            return cache.get(id);
        }
        StorageConfig sc;
        try {
            sc = client.storageConfig(id);
        } catch (TimeShiftException e) {
            sc = null;
        }
        cache.put(id, sc);
        return sc;
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

    private static Check ok(String check, String detail) {
        return new Check(check, true, detail, null);
    }

    private static Check bad(String check, String detail, String fix) {
        return new Check(check, false, detail, fix);
    }
}

package io.timeshift.host.admin;

import io.timeshift.common.error.TimeShiftException;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.vmconfig.ConfigEdits;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.config.VmConfig;
import io.timeshift.pve.config.VmConfigParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code time-shift doctor} on a node reads once and its checks share: this node's name, the API
 * (null when Proxmox did not answer, with {@code apiError}), every VM config on pmxcfs, the policy files and
 * the valid policies, and the storage lookups.
 *
 * @param version    the Proxmox version, or null when the API did not answer
 * @param apiError   why the API did not answer, or null
 * @param confs      every VM config file by VMID
 * @param policyFiles every policy file, read
 * @param policies   the valid policies by VMID
 */
record DoctorInputs(String node, PveClient client, String version, String apiError, Map<Integer, Conf> confs,
                    List<PolicyFile> policyFiles, Map<Integer, Policy> policies, StorageLookups storages) {
    DoctorInputs {
        confs = Collections.unmodifiableMap(new TreeMap<>(confs));
        policyFiles = List.copyOf(policyFiles);
        policies = Collections.unmodifiableMap(new TreeMap<>(policies));
    }

    /**
     * A VM config file: which node's directory it is in, whether that is this node, and the config as
     * Proxmox reads it (null when it cannot be read: Proxmox's own problem, not doctor's).
     */
    record Conf(int vmid, String node, boolean local, Path file, VmConfig config) {
    }

    /** A policy file read: the policy (null when absent or invalid), or why it is invalid. */
    record PolicyFile(int vmid, Path file, Policy policy, String error) {
    }

    /** Reads the policy files of {@code ids} from {@code store}. */
    static List<PolicyFile> readPolicies(PolicyStore store, List<Integer> ids) {
        List<PolicyFile> out = new ArrayList<>();
        for (int id : ids) {
            try {
                out.add(new PolicyFile(id, store.file(id), store.read(id).orElse(null), null));
            } catch (TimeShiftException e) {
                out.add(new PolicyFile(id, store.file(id), null, e.getMessage()));
            }
        }
        return out;
    }

    /** The valid policies of {@code files}, by VMID. */
    static Map<Integer, Policy> valid(List<PolicyFile> files) {
        Map<Integer, Policy> out = new TreeMap<>();
        for (PolicyFile f : files) {
            if (f.policy() != null) {
                out.put(f.vmid(), f.policy());
            }
        }
        return out;
    }

    /**
     * Reads this node's inputs once.
     *
     * @param client  this node's API, or null when it did not answer
     */
    static DoctorInputs read(HostPaths paths, String node, PveClient client, String version, String apiError) {
        PolicyStore store = new PolicyStore(paths);
        Map<Integer, Conf> confs = configFiles(paths.pveDir(), node);
        List<PolicyFile> files = readPolicies(store, store.vmids());
        return new DoctorInputs(node, client, version, apiError, confs, files, valid(files), StorageLookups.api(client));
    }

    /** The storages of our hookscript in any VM config (local snippets must be on every node the VM may run on). */
    Set<String> storagesInUse() {
        Set<String> out = new LinkedHashSet<>();
        for (Conf c : confs.values()) {
            String hook = c.config() == null ? null : c.config().hookscript().orElse(null);
            if (ConfigEdits.isOurs(hook)) {
                out.add(hook.substring(0, hook.indexOf(':')));
            }
        }
        return out;
    }

    /** Our hookscript's volumes in the configs of the VMs with a policy. */
    Set<String> policyVolids() {
        Set<String> out = new LinkedHashSet<>();
        for (Conf c : confs.values()) {
            String hook = c.config() == null ? null : c.config().hookscript().orElse(null);
            if (ConfigEdits.isOurs(hook) && policies.containsKey(c.vmid())) {
                out.add(hook.strip());
            }
        }
        return out;
    }

    /** Every VM config on pmxcfs: {@code nodes/<n>/qemu-server/*.conf}, and {@code qemu-server/} (this node). */
    private static Map<Integer, Conf> configFiles(Path pveDir, String node) {
        Map<Integer, Conf> out = new TreeMap<>();
        Path nodes = pveDir.resolve("nodes");
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
        scan(pveDir.resolve("qemu-server"), node, true, out);
        Map<Integer, Conf> parsed = new TreeMap<>();
        for (Conf c : out.values()) {
            VmConfig vc;
            try {
                vc = VmConfigParser.parseWithoutDigest(c.vmid(), c.file());
            } catch (TimeShiftException e) {
                vc = null; // Proxmox's own problem, not ours to report
            }
            parsed.put(c.vmid(), new Conf(c.vmid(), c.node(), c.local(), c.file(), vc));
        }
        return parsed;
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
                        out.put(id, new Conf(id, node, local, p, null));
                    }
                }
            }
        } catch (IOException ignored) {
            // best effort
        }
    }
}

package io.timeshift.host.admin;

import io.timeshift.common.error.TimeShiftException;
import io.timeshift.host.cluster.ClusterStatusService;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.vmconfig.ConfigEdits;
import io.timeshift.pve.api.ClusterResource;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.ResourceType;
import io.timeshift.pve.api.VmConfigView;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code time-shift doctor --remote} reads once, in this order, and its checks share: the Proxmox
 * version, the cluster's VMs, the policy files (when {@code /etc/pve} is readable here), the config of each
 * VM with a policy, and the storage listing.
 *
 * @param policyFiles the policy files read, or null when {@code /etc/pve} is not readable here
 * @param policyVms   the VMs with a policy (tagged, or with a policy file), by VMID
 */
record RemoteInputs(String version, Map<Integer, ClusterResource> vms, List<DoctorInputs.PolicyFile> policyFiles,
                    List<PolicyVm> policyVms, StorageLookups storages) {
    RemoteInputs {
        vms = Collections.unmodifiableMap(new HashMap<>(vms));
        policyFiles = policyFiles == null ? null : List.copyOf(policyFiles);
        policyVms = List.copyOf(policyVms);
    }

    /**
     * A VM with a policy: its cluster resource and, for a QEMU VM, its config through the API or why that
     * could not be read (both null for a container, whose config is not asked for).
     */
    record PolicyVm(int vmid, ClusterResource resource, VmConfigView conf, String error) {
    }

    /**
     * Reads them; a failing version call (TLS, credentials) or listing ends the command with its exit code.
     */
    static RemoteInputs read(PveClient client, HostPaths paths) {
        String version = client.version().version(); // nothing else can be checked without it: its error is the answer
        Map<Integer, ClusterResource> vms = new HashMap<>();
        for (ClusterResource r : client.clusterResources(ResourceType.VM)) {
            if (r.vmid() > 0) {
                vms.put(r.vmid(), r);
            }
        }
        Set<Integer> ids = new TreeSet<>();
        for (ClusterResource r : vms.values()) {
            if (r.hasTag(ClusterStatusService.TAG) && !r.template()) {
                ids.add(r.vmid());
            }
        }
        List<DoctorInputs.PolicyFile> files = null;
        if (Files.isDirectory(paths.policyDir()) && Files.isReadable(paths.policyDir())) {
            PolicyStore store = new PolicyStore(paths);
            List<Integer> stored = store.vmids();
            files = DoctorInputs.readPolicies(store, stored);
            for (int id : stored) {
                if (vms.containsKey(id)) {
                    ids.add(id);
                }
            }
        }
        List<PolicyVm> policyVms = new ArrayList<>();
        for (int id : ids) {
            ClusterResource r = vms.get(id);
            if (!r.isQemu()) {
                policyVms.add(new PolicyVm(id, r, null, null));
                continue;
            }
            try {
                policyVms.add(new PolicyVm(id, r, client.node(r.node()).qemu(id).config(), null));
            } catch (TimeShiftException e) {
                policyVms.add(new PolicyVm(id, r, null, ErrorLine.of(e)));
            }
        }
        return new RemoteInputs(version, vms, files, policyVms, StorageLookups.listed(client.storageConfig()));
    }

    /** Our hookscript's volumes in the configs of the VMs with a policy. */
    Set<String> volids() {
        Set<String> out = new LinkedHashSet<>();
        for (PolicyVm vm : policyVms) {
            String hook = vm.conf() == null ? null : vm.conf().hookscript().orElse(null);
            if (ConfigEdits.isOurs(hook)) {
                out.add(hook.strip());
            }
        }
        return out;
    }

    /** The storage of each of {@link #volids()}, in their order. */
    List<String> volidStorages() {
        List<String> out = new ArrayList<>();
        for (String v : volids()) {
            out.add(v.substring(0, v.indexOf(':')));
        }
        return out;
    }
}

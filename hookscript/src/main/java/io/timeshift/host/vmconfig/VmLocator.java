package io.timeshift.host.vmconfig;

import io.timeshift.pve.api.ClusterResource;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.ResourceType;
import io.timeshift.pve.api.VmConfigView;
import io.timeshift.pve.api.error.PveNotFoundException;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;

import java.util.List;

/**
 * Reads a VM's config from THIS node ({@code pvesh get /nodes/<node>/qemu/<vmid>/config}); when PVE says
 * it does not exist here, asks {@code /cluster/resources} where it is, so the message names the node to
 * run on (exit 3) or says the VMID is unused or a container.
 */
public final class VmLocator {
    private VmLocator() {
    }

    /** The config, or null when the VMID exists nowhere in the cluster (only with {@code missingOk}). */
    public static VmConfigView config(PveClient client, String node, int vmid, String command, boolean missingOk) {
        try {
            return client.node(node).qemu(vmid).config();
        } catch (PveNotFoundException e) {
            List<ClusterResource> all;
            try {
                all = client.clusterResources(ResourceType.VM);
            } catch (TimeShiftException e2) {
                throw new EnvironmentException("VM " + vmid + " does not exist on this node (" + node + "): "
                        + e.getMessage(), e);
            }
            for (ClusterResource r : all) {
                if (r.vmid() != vmid) {
                    continue;
                }
                if (!r.isQemu()) {
                    throw new InvalidInputException("VMID " + vmid + " is a container (" + r.type()
                            + "); time-shift works with QEMU VMs only");
                }
                throw new EnvironmentException("VM " + vmid + " is on node " + r.node() + ", not on this node (" + node
                        + "); run it there: ssh root@" + r.node() + " time-shift " + command);
            }
            if (missingOk) {
                return null;
            }
            throw new EnvironmentException("VM " + vmid + " does not exist in this cluster (list VMs with: qm list)");
        }
    }
}

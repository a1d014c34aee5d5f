package io.timeshift.host.admin;

import io.timeshift.host.cluster.ClusterStatusService;
import io.timeshift.host.vmconfig.ConfigEdits;
import io.timeshift.pve.api.ClusterResource;

import java.util.ArrayList;
import java.util.List;

/**
 * Through {@code --remote}: each VM with a policy is a QEMU VM whose config the API shows, running our
 * hookscript; none at all is a note.
 */
final class ClusterVmsCheck extends DoctorCheck.WithNotes {
    private final List<RemoteInputs.PolicyVm> vms;

    ClusterVmsCheck(List<RemoteInputs.PolicyVm> vms) {
        this.vms = List.copyOf(vms);
    }

    @Override
    public Outcome outcome() {
        List<DoctorService.Check> checks = new ArrayList<>();
        for (RemoteInputs.PolicyVm vm : vms) {
            int id = vm.vmid();
            ClusterResource r = vm.resource();
            String where = "VM " + id + " (node " + r.node() + ")";
            if (!r.isQemu()) {
                checks.add(DoctorService.bad("vm", where + " is a container (" + r.type() + "); time-shift works on QEMU VMs only",
                        "remove the tag " + ClusterStatusService.TAG + " from it"));
                continue;
            }
            if (vm.conf() == null) {
                checks.add(DoctorService.bad("vm", where + ": config not readable: " + vm.error(),
                        "check that " + r.node() + " is up and the API user has VM.Audit on /vms/" + id));
                continue;
            }
            String hook = vm.conf().hookscript().orElse(null);
            if (ConfigEdits.isOurs(hook)) {
                checks.add(DoctorService.ok("vm", where + " has a policy and runs " + hook.strip()));
            } else {
                checks.add(DoctorService.bad("hookscript", where + " has a time-shift policy but its hookscript is "
                        + (hook == null ? "not set" : hook), "time-shift enable " + id + " --date <when> --yes on "
                        + r.node() + (hook == null ? "" : " (with --chain to keep " + hook + ")")));
            }
        }
        List<String> notes = vms.isEmpty()
                ? List.of("no VM in the cluster has a time-shift policy (none is tagged " + ClusterStatusService.TAG + ")")
                : List.of();
        return new Outcome(checks, notes, List.of());
    }
}

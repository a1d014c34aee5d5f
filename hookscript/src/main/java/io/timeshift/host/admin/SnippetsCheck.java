package io.timeshift.host.admin;

import io.timeshift.host.policy.Policy;
import io.timeshift.host.vmconfig.ConfigEdits;
import io.timeshift.pve.config.VmConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The hookscripts of the VMs, on this node: a VM with a policy runs ours, and every snippet Proxmox will
 * look for here (a local VM's hookscript and its chained one; ours for any VM, which may migrate here) is
 * present and executable. Lines Proxmox skips in the config of a VM with a policy or our hookscript are
 * warnings.
 */
final class SnippetsCheck extends DoctorCheck.WithNotes {
    private final List<DoctorInputs.Conf> confs;
    private final Map<Integer, Policy> policies;
    private final StorageLookups storages;
    private final Path pveDir;

    SnippetsCheck(Collection<DoctorInputs.Conf> confs, Map<Integer, Policy> policies, StorageLookups storages, Path pveDir) {
        this.confs = List.copyOf(confs);
        this.policies = Map.copyOf(policies);
        this.storages = storages;
        this.pveDir = pveDir;
    }

    @Override
    public Outcome outcome() {
        List<DoctorService.Check> checks = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (DoctorInputs.Conf c : confs) {
            VmConfig vc = c.config();
            if (vc == null) {
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
                checks.add(DoctorService.bad("hookscript", "VM " + c.vmid() + " has a policy but its hookscript is "
                        + (hook == null ? "not set" : hook), "time-shift enable " + c.vmid() + " --date <when> --yes"
                        + (hook == null ? "" : " --chain")));
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
                checks.add(verdict(c.vmid(), volid));
            }
        }
        return new Outcome(checks, List.of(), warnings);
    }

    private DoctorService.Check verdict(int vmid, String volid) {
        Path p = storages.locate(volid, pveDir);
        if (p == null) {
            return DoctorService.bad("snippet", "cannot tell where " + volid + " (VM " + vmid + ") lives on this node",
                    "pvesm path " + volid);
        }
        SnippetInstaller.Problem problem = SnippetInstaller.problem(p);
        if (problem == null) {
            return DoctorService.ok("snippet", volid + " (VM " + vmid + ") at " + p + " is present and executable");
        }
        if (problem == SnippetInstaller.Problem.MISSING) {
            return DoctorService.bad("snippet", "VM " + vmid + ": hookscript " + volid + " is missing at " + p
                    + " on this node; Proxmox refuses to start the VM here", ConfigEdits.isOurs(volid)
                    ? "install -m 0755 " + SnippetInstaller.INSTALLED_COPY + " " + p
                    : "restore " + p + ", or detach it: qm set " + vmid + " --delete hookscript");
        }
        return DoctorService.bad("snippet", "VM " + vmid + ": hookscript " + volid + " at " + p + " is not executable;"
                + " Proxmox refuses to start the VM", "chmod 0755 " + p);
    }
}

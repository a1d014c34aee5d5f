package io.timeshift.host.admin;

import io.timeshift.common.error.TimeShiftException;
import io.timeshift.host.finding.Finding;
import io.timeshift.host.policy.Policy;
import io.timeshift.pve.api.FirewallApi;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.VmConfigView;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Isolation ({@link Isolation}) of this node's VMs with a policy: an isolated VM whose firewall cannot take
 * effect is a problem (datacenter firewall off, VM firewall or outbound DROP gone, a NIC without
 * firewall=1); a past-dated VM that is not isolated gets a note advising it.
 */
final class IsolationCheck extends DoctorCheck.WithNotes {
    private final PveClient client;
    private final String node;
    private final Map<Integer, Policy> policies;
    private final Map<Integer, DoctorInputs.Conf> confs;
    private final Clock clock;

    /**
     * @param client this node's API, or null when it did not answer (then an isolated VM gets a note)
     * @param clock  tells a past-dated policy
     */
    IsolationCheck(PveClient client, String node, Map<Integer, Policy> policies, Map<Integer, DoctorInputs.Conf> confs,
                   Clock clock) {
        this.client = client;
        this.node = node;
        this.policies = policies;
        this.confs = confs;
        this.clock = clock;
    }

    @Override
    public Outcome outcome() {
        List<DoctorService.Check> checks = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Instant now = clock.instant();
        FirewallApi.Options cluster = null;
        String clusterError = null;
        boolean clusterRead = false;
        for (Map.Entry<Integer, Policy> e : policies.entrySet()) {
            int vmid = e.getKey();
            Policy p = e.getValue();
            DoctorInputs.Conf c = confs.get(vmid);
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
                    cluster = FirewallApi.clusterOptions(client);
                } catch (TimeShiftException ex) {
                    clusterError = ErrorLine.of(ex);
                }
            }
            FirewallApi.Options vm;
            VmConfigView conf;
            try {
                vm = FirewallApi.vm(client, node, vmid).options();
                conf = client.node(node).qemu(vmid).config();
            } catch (TimeShiftException ex) {
                checks.add(DoctorService.bad("isolation", "VM " + vmid + ": cannot read its firewall: " + ErrorLine.of(ex),
                        "pvesh get /nodes/" + node + "/qemu/" + vmid + "/firewall/options"));
                continue;
            }
            List<Finding> problems = Isolation.problems(vmid, p, now, cluster, clusterError, vm, conf);
            if (problems.isEmpty()) {
                checks.add(DoctorService.ok("isolation", "VM " + vmid + " is " + Isolation.statusText(p)));
            }
            for (Finding f : problems) {
                checks.add(DoctorService.bad("isolation", f.problem(), f.fix()));
            }
        }
        return new Outcome(checks, notes, List.of());
    }
}

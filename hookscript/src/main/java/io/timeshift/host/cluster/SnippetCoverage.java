package io.timeshift.host.cluster;

import io.timeshift.host.vmconfig.ConfigEdits;
import io.timeshift.pve.api.NodeInfo;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.StorageConfig;
import io.timeshift.pve.api.StorageContent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Is our hook snippet on every node that could run a VM with a policy? The classic trap: the VM's
 * config says {@code hookscript: local:snippets/time-shift-hook}, it is migrated (or HA-recovered)
 * to a node where {@code local} has no such file, and Proxmox refuses to start it there. This
 * check lists the snippets of each relevant storage on each online node
 * ({@code GET /nodes/{node}/storage/{storage}/content?content=snippets}) and says what to do where
 * the snippet is missing. A service: {@code doctor} and {@code status --all} can both call it.
 *
 * <p><b>Which volumes:</b> the hookscript volumes in use by policy VMs (pass them in), else
 * {@code local:snippets/time-shift-hook} ({@link ConfigEdits#volid}). A shared storage is listed once; a storage limited to some nodes
 * ({@code nodes} in storage.cfg) is a problem on the online nodes it excludes, since the VM cannot
 * start there at all.
 *
 * <p><b>Visibility:</b> PVE lists snippet volumes only to root@pam or to users with
 * {@code Datastore.Allocate} on {@code /storage/<id>} (pve-storage {@code check_volume_access}: snippets
 * fall into the "Datastore administrator" branch; {@code Datastore.Audit} is not enough, and the
 * listing silently leaves them out). So a missing snippet is only reported as missing when
 * {@code GET /access/permissions?path=/storage/<id>} shows that privilege; otherwise the node is
 * "not verifiable" with the way out (run as root on a node: pvesh; or log in as root@pam). The
 * least-privilege token from {@code api-setup} deliberately lacks {@code Datastore.Allocate}.
 */
public final class SnippetCoverage {
    /** Per node and volume: present, missing, not verifiable, or storage not available there. */
    public enum Verdict { PRESENT, MISSING, UNVERIFIABLE, STORAGE_UNAVAILABLE, ERROR }

    public record Check(String node, String volid, Verdict verdict, String detail) {
    }

    /**
     * @param checks   one per (online node, volume)
     * @param offline  nodes not online (not checked), each "name (status)"
     * @param problems one line each, with the fix; empty when every node can start every policy VM
     */
    public record Report(List<Check> checks, List<String> offline, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * What is wrong with one check, and how to fix it.
     *
     * @param problem one line, starting {@code node <name>:}
     * @param fix     the command or step that fixes it
     */
    public record Problem(String problem, String fix) {
        /** {@code problem (fix: fix)}. */
        public String line() {
            return problem + " (fix: " + fix + ")";
        }
    }

    private final PveClient client;

    public SnippetCoverage(PveClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * @param volids hookscript volumes used by policy VMs, e.g. {@code local:snippets/time-shift-hook};
     *               empty means {@code local:snippets/time-shift-hook} ({@link ConfigEdits#volid})
     */
    public Report check(Collection<String> volids) {
        Set<String> vols = new LinkedHashSet<>();
        for (String v : volids) {
            if (v != null && !v.isBlank()) {
                vols.add(v.strip());
            }
        }
        if (vols.isEmpty()) {
            vols.add(ConfigEdits.volid("local"));
        }
        List<String> online = new ArrayList<>();
        List<String> offline = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (NodeInfo n : client.nodes()) {
            if (n.online()) {
                online.add(n.node());
            } else {
                offline.add(n.node() + " (" + n.status() + ")");
                problems.add("node " + n.node() + " is " + n.status() + "; its snippets were not checked (check again"
                        + " when it is back, before VMs with a policy migrate there)");
            }
        }
        Map<String, StorageConfig> storages = new HashMap<>();
        for (StorageConfig s : client.storageConfig()) {
            storages.put(s.storage(), s);
        }
        Map<String, Boolean> canSee = new HashMap<>();
        Map<String, Set<String>> sharedListing = new HashMap<>();
        List<Check> checks = new ArrayList<>();
        for (String volid : vols) {
            int colon = volid.indexOf(':');
            String sid = colon > 0 ? volid.substring(0, colon) : "";
            StorageConfig sc = storages.get(sid);
            for (String node : online) {
                Check c = checkOne(node, volid, sid, sc, canSee, sharedListing);
                checks.add(c);
                Problem p = problemOf(c);
                if (p != null) {
                    problems.add(p.line());
                }
            }
        }
        return new Report(checks, offline, problems);
    }

    private Check checkOne(String node, String volid, String sid, StorageConfig sc, Map<String, Boolean> canSee,
                           Map<String, Set<String>> sharedListing) {
        if (sc == null) {
            return new Check(node, volid, Verdict.STORAGE_UNAVAILABLE, "storage '" + sid + "' is not defined in the cluster");
        }
        if (!sc.availableOn(node)) {
            return new Check(node, volid, Verdict.STORAGE_UNAVAILABLE, sc.disabled() ? "storage '" + sid + "' is disabled"
                    : "storage '" + sid + "' is limited to nodes " + String.join(",", sc.nodes()));
        }
        if (!sc.allows("snippets")) {
            return new Check(node, volid, Verdict.STORAGE_UNAVAILABLE, "storage '" + sid + "' does not allow content 'snippets'");
        }
        try {
            Set<String> listed;
            if (sc.shared() && sharedListing.containsKey(sid)) {
                listed = sharedListing.get(sid);
            } else {
                listed = new LinkedHashSet<>();
                for (StorageContent v : client.node(node).storage(sid).content("snippets")) {
                    listed.add(v.volid());
                }
                if (sc.shared()) {
                    sharedListing.put(sid, listed);
                }
            }
            if (listed.contains(volid)) {
                return new Check(node, volid, Verdict.PRESENT, sc.shared() ? "shared storage" : "");
            }
            if (!canSee.computeIfAbsent(sid, this::maySeeSnippets)) {
                return new Check(node, volid, Verdict.UNVERIFIABLE, "snippet volumes on '" + sid
                        + "' are listed only to root@pam or with Datastore.Allocate on /storage/" + sid);
            }
            return new Check(node, volid, Verdict.MISSING, "");
        } catch (RuntimeException e) {
            return new Check(node, volid, Verdict.ERROR, e.getMessage());
        }
    }

    /** Whether the caller holds Datastore.Allocate on /storage/{sid}; true when that cannot be asked. */
    private boolean maySeeSnippets(String sid) {
        try {
            return client.access().permissions("/storage/" + sid).containsKey("Datastore.Allocate");
        } catch (RuntimeException e) {
            return true; // cannot tell: report what the listing says
        }
    }

    /** The problem a check shows, with its fix; null for {@link Verdict#PRESENT}. */
    public static Problem problemOf(Check c) {
        String fix = "install time-shift-proxmox on " + c.node() + " (its postinst puts the snippet into"
                + " /var/lib/vz/snippets/), or put the snippet on shared storage (time-shift enable <vmid> --storage"
                + " <shared storage with snippets>)";
        return switch (c.verdict()) {
            case PRESENT -> null;
            case MISSING -> new Problem("node " + c.node() + ": " + c.volid() + " is missing; a VM with a time-shift policy that"
                    + " migrates or starts there will refuse to start", fix);
            case STORAGE_UNAVAILABLE -> new Problem("node " + c.node() + ": " + c.volid() + " is unusable there (" + c.detail()
                    + "); a VM with a time-shift policy cannot start on " + c.node(), fix);
            case UNVERIFIABLE -> new Problem("node " + c.node() + ": cannot verify " + c.volid() + " (" + c.detail() + ")",
                    "run this check as root on a node, or with --user root@pam");
            case ERROR -> new Problem("node " + c.node() + ": snippets not checked: " + c.detail(),
                    "check that " + c.node() + " is up and in the cluster (pvecm status), then check again");
        };
    }
}

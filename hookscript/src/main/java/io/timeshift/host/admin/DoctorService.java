package io.timeshift.host.admin;

import io.timeshift.host.cluster.ClusterStatusService;
import io.timeshift.host.cluster.SnippetCoverage;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.env.LocalNode;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.config.VmConfig;
import io.timeshift.common.error.TimeShiftException;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code time-shift doctor}: what must be true for time-shift to work, each problem with the exact
 * command that fixes it, as a {@link DoctorReport} (exit 1 when anything is wrong; the CLI renders it).
 * It reads its inputs once, then runs its {@link DoctorCheck}s in order.
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
 * <p>Findings that are not problems (a node offline, a listing the caller may not see) are notes:
 * printed, in the JSON's {@code notes}, never exit 1. Lines of the config of a VM with a policy or our
 * hookscript that Proxmox skips with a warning ({@link VmConfig#warnings()}) are warnings: printed, in
 * the JSON's {@code warnings}, never exit 1.
 */
public final class DoctorService {
    /** One check: ok, or the problem and its fix. */
    public record Check(String check, boolean ok, String detail, String fix) {
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

    /** On a node: this node's files and, through the API, the cluster. */
    public DoctorReport doctor() {
        String node = LocalNode.name(paths.pveDir());
        PveClient client = null;
        String version = null;
        String apiError = null;
        try {
            client = pve.get();
            version = client.version().version();
        } catch (TimeShiftException e) {
            apiError = e.getMessage();
            if (client != null) {
                client.close();
            }
            client = null;
        }
        try {
            DoctorInputs in = DoctorInputs.read(paths, node, client, version, apiError);
            return report(node, null, new ArrayList<>(), List.of(
                    JavaCheck.running(),
                    new HostConfigCheck(paths.configFile()),
                    new ProxmoxCheck(in.version(), "on node " + node, in.apiError()),
                    new WritableDirsCheck(paths),
                    new PoliciesCheck(in.policyFiles(), in.confs()::containsKey, "does not exist"),
                    new SnippetsCheck(in.confs().values(), in.policies(), in.storages(), paths.pveDir()),
                    StoragesCheck.inUse(in.storagesInUse(), in.storages()),
                    // every other node can start the VMs with a policy (this node's files are checked above)
                    CoverageCheck.fromNode(in.client() != null, root, in.policyVolids(), in.storages(), node),
                    new IsolationCheck(in.client(), node, in.policies(), in.confs(), clock)));
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    /**
     * With {@code --remote}: what the API shows (version, VMs with a policy and their hookscript,
     * storages, the snippet on every node); this machine's files are not looked at.
     *
     * @param client   the remote API; a failing first call (TLS, credentials) ends the command with its exit code
     * @param endpoint for the messages
     */
    public DoctorReport doctorRemote(PveClient client, String endpoint) {
        RemoteInputs in = RemoteInputs.read(client, paths);
        List<String> notes = new ArrayList<>();
        notes.add("with --remote only the cluster is checked: Java, " + paths.configFile().getFileName()
                + ", pmxcfs quorum, the state and log directories and the snippet files belong to each node"
                + " (run time-shift doctor on each node for them)");
        if (in.policyFiles() == null) {
            notes.add("policy files are not readable here (" + paths.policyDir() + "): VMs with a policy are those"
                    + " tagged " + ClusterStatusService.TAG);
        }
        return report(null, endpoint, notes, List.of(
                new ProxmoxCheck(in.version(), "at " + endpoint, null),
                new PoliciesCheck(in.policyFiles() == null ? List.of() : in.policyFiles(), in.vms()::containsKey,
                        "is not in the cluster"),
                new ClusterVmsCheck(in.policyVms()),
                StoragesCheck.cluster(in.volidStorages(), in.storages()),
                // every online node can start the VMs with a policy
                CoverageCheck.cluster(client, in.volids(), in.storages())));
    }

    /** Runs {@code checks} in order; their notes follow {@code notes}. */
    private static DoctorReport report(String node, String remote, List<String> notes, List<DoctorCheck> checks) {
        List<Check> verdicts = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (DoctorCheck c : checks) {
            DoctorCheck.Outcome o = c.outcome();
            verdicts.addAll(o.checks());
            notes.addAll(o.notes());
            warnings.addAll(o.warnings());
        }
        return new DoctorReport(node, remote, verdicts, notes, warnings);
    }

    static Check ok(String check, String detail) {
        return new Check(check, true, detail, null);
    }

    static Check bad(String check, String detail, String fix) {
        return new Check(check, false, detail, fix);
    }
}

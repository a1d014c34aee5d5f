package io.timeshift.host.cluster;

import io.timeshift.testsupport.PveFixtures;

import io.timeshift.testsupport.PvePki;

import com.github.tomakehurst.wiremock.junit.Stubbing;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.TempHost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;

/**
 * A 500-VM cluster over 5 nodes, seen from node {@value #LOCAL_NODE}: the generated
 * {@code /cluster/resources?type=vm} answer (shape of pve-api's {@code cluster-resources-vm.json}:
 * tags as {@code "a;b"}, template 0/1, lxc mixed in), the node's files (pmxcfs with one policy per
 * tagged VM, a policy for an untagged VM, an orphan policy, the local VMs' configs, one local agent,
 * the api-setup token) and the per-VM answers for the other nodes, with two VMs that fail.
 * Deterministic. Used by the tests and by {@link StatusAllBench}.
 */
final class ClusterScenario {
    static final String LOCAL_NODE = "pve1";
    static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");
    static final String DATE = "2021-03-01T12:00:00Z";
    /** What a remote VM's agent answers: DATE + uptime 3600 s + 0.5 s (mid-second) + 4 ms drift. */
    static final long GUEST_NS = 1_614_603_600_504_000_000L;
    static final String TOKEN_SECRET = "5d1a0c7e-3f2b-4c8d-9e6f-0a1b2c3d4e5f";
    static final String TOKEN_LINE = "time-shift@pve!time-shift=" + TOKEN_SECRET;
    /** Untagged, but with a policy file: listed because pmxcfs is readable. */
    static final int UNTAGGED_WITH_POLICY = 101;
    static final int ORPHAN = 999_999;

    /** One guest of the generated answer. */
    record Vm(int vmid, boolean lxc, boolean running, boolean template, String node, boolean tagged) {
        boolean listed() {
            return !lxc && !template && tagged;
        }
    }

    final List<Vm> vms;
    /** A running remote VM whose agent is down (get-time: 500 "QEMU guest agent is not running"). */
    final int agentDown;
    /** A running remote VM whose config read is refused (403). */
    final int forbidden;
    /** A running remote VM that answers normally. */
    final int healthyRemote;
    /** A running local VM with an agent socket (read through the local agent, never the API). */
    final int localWithAgent;

    ClusterScenario(int count) {
        vms = generate(count);
        List<Integer> remoteRunning = new ArrayList<>();
        int local = -1;
        for (Vm v : vms) {
            if (v.listed() && v.running() && !v.node().equals(LOCAL_NODE)) {
                remoteRunning.add(v.vmid());
            }
            if (local < 0 && v.listed() && v.running() && v.node().equals(LOCAL_NODE)) {
                local = v.vmid();
            }
        }
        agentDown = remoteRunning.get(0);
        forbidden = remoteRunning.get(1);
        healthyRemote = remoteRunning.get(2);
        localWithAgent = local;
    }

    private static List<Vm> generate(int count) {
        Random rnd = new Random(42);
        List<Vm> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean lxc = i % 10 == 9;
            boolean running = rnd.nextInt(3) != 0;
            boolean template = i % 50 == 49;
            out.add(new Vm(100 + i, lxc, running && !template, template, "pve" + (1 + i % 5), i % 7 == 0));
        }
        return out;
    }

    /** The VMIDs {@code status --all} must list. */
    TreeSet<Integer> expectedVmids() {
        TreeSet<Integer> s = new TreeSet<>();
        for (Vm v : vms) {
            if (v.listed()) {
                s.add(v.vmid());
            }
        }
        s.add(UNTAGGED_WITH_POLICY);
        s.add(ORPHAN);
        return s;
    }

    /** {@code GET /cluster/resources?type=vm}. */
    String clusterResources() {
        List<PveFixtures.Guest> guests = new ArrayList<>(vms.size());
        for (int i = 0; i < vms.size(); i++) {
            Vm v = vms.get(i);
            guests.add(new PveFixtures.Guest(v.vmid(), v.lxc(), v.running(), v.template(), v.node(),
                    v.tagged() ? "bmc;time-shift" : (i % 3 == 0 ? "prod" : "")));
        }
        return PveFixtures.clusterResources(guests, 7);
    }

    /**
     * Node {@value #LOCAL_NODE}'s files: {@code pve/local -> nodes/pve1} with its certificate, pmxcfs
     * policies for every listed VM and for {@link #UNTAGGED_WITH_POLICY} and {@link #ORPHAN}, the
     * local VMs' configs, the agent socket of {@link #localWithAgent}, and the api-setup token.
     */
    void prepareNode(TempHost host) {
        try {
            Path pve = host.paths().pveDir();
            Path nodeDir = Files.createDirectories(pve.resolve("nodes").resolve(LOCAL_NODE));
            Files.createSymbolicLink(pve.resolve("local"), Path.of("nodes", LOCAL_NODE));
            Files.copy(PvePki.get().serverPem, nodeDir.resolve("pve-ssl.pem"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(PvePki.get().caPem, pve.resolve("pve-root-ca.pem"), StandardCopyOption.REPLACE_EXISTING);
            writeToken(host, "rw-------");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Vm v : vms) {
            if (v.listed()) {
                host.policy(PolicyJson.fixed(v.vmid(), DATE));
                if (v.node().equals(LOCAL_NODE)) {
                    host.confWith(v.vmid());
                }
            }
        }
        host.policy(PolicyJson.fixed(UNTAGGED_WITH_POLICY, DATE));
        host.policy(PolicyJson.fixed(ORPHAN, DATE));
        host.agentSocket(localWithAgent);
    }

    static void writeToken(TempHost host, String mode) throws IOException {
        Path priv = Files.createDirectories(host.paths().pveDir().resolve("priv"));
        Path f = priv.resolve(PreferredTransport.TOKEN_FILE_NAME);
        Files.writeString(f, TOKEN_LINE + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    }

    /** The node's answers: cluster listing, and config/status/get-time for VMs on other nodes. */
    void stub(Stubbing wm) {
        wm.stubFor(get(urlPathEqualTo(PveApi.API + "/cluster/resources")).withQueryParam("type", equalTo("vm"))
                .willReturn(PveApi.json(200, clusterResources())));
        String vm = PveApi.API + "/nodes/pve[0-9]+/qemu/[0-9]+";
        wm.stubFor(get(urlPathMatching(vm + "/config")).atPriority(5).willReturn(PveApi.fixture("qemu-config.json")));
        for (int n = 1; n <= 5; n++) {
            wm.stubFor(get(urlPathEqualTo(PveApi.API + "/nodes/pve" + n + "/qemu")).willReturn(PveApi.json(200, nodeVms("pve" + n))));
        }
        wm.stubFor(get(urlPathMatching(vm + "/status/current")).atPriority(5)
                .willReturn(PveApi.fixture("qemu-status-current.json")));
        wm.stubFor(get(urlPathMatching(vm + "/agent/get-time")).atPriority(5)
                .willReturn(PveApi.json(200, "{\"data\":{\"result\":" + GUEST_NS + "}}")));
        wm.stubFor(get(urlPathMatching(PveApi.API + "/nodes/pve[0-9]+/qemu/" + agentDown + "/agent/get-time")).atPriority(1)
                .willReturn(PveApi.pveError(500, "QEMU guest agent is not running")));
        wm.stubFor(get(urlPathMatching(PveApi.API + "/nodes/pve[0-9]+/qemu/" + forbidden + "/config")).atPriority(1)
                .willReturn(PveApi.pveError(403, "Permission check failed (/vms/" + forbidden + ", VM.Audit)")));
    }

    /**
     * {@code GET /nodes/{node}/qemu} (qemu-server {@code vmlist} + {@code vmstatus}): the node's VMs with
     * a live {@code uptime} (3600 s for every running one here).
     */
    String nodeVms(String node) {
        StringBuilder sb = new StringBuilder("{\"data\":[");
        boolean first = true;
        for (Vm v : vms) {
            if (v.lxc() || !v.node().equals(node)) {
                continue;
            }
            sb.append(first ? "" : ",").append("{\"vmid\":").append(v.vmid()).append(",\"name\":\"vm-").append(v.vmid())
                    .append("\",\"status\":\"").append(v.running() ? "running" : "stopped").append("\",\"uptime\":")
                    .append(v.running() ? 3600 : 0).append(",\"cpus\":2,\"maxmem\":4294967296,\"mem\":")
                    .append(v.running() ? 2147483648L : 0).append(",\"maxdisk\":34359738368,\"disk\":0,\"netin\":0,"
                            + "\"netout\":0,\"diskread\":0,\"diskwrite\":0,\"cpu\":0")
                    .append(v.running() ? ",\"pid\":" + (10000 + v.vmid()) : "").append('}');
            first = false;
        }
        return sb.append("]}").toString();
    }

    String nodeOf(int vmid) {
        return vms.stream().filter(v -> v.vmid() == vmid).findFirst().orElseThrow().node();
    }
}

package io.timeshift.host.cluster;

import io.timeshift.testsupport.PvePki;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.timeshift.host.cli.Cli;
import io.timeshift.host.cli.Services;
import io.timeshift.host.io.Json;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.TempHost;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code time-shift status --all} and {@code --remote} end to end: the picocli command, the cluster
 * service and the real HTTPS transport against WireMock playing a 500-VM cluster.
 */
class StatusAllTest {
    @RegisterExtension
    static WireMockExtension pve = PveApi.https();

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(ClusterScenario.T0);
    private final FakeQemuGa ga = new FakeQemuGa(clock, new FakeMonotonic());
    private final ClusterScenario cluster = new ClusterScenario(500);
    private TempHost node;
    private String out;
    private String err;

    @BeforeEach
    void clusterOf500() {
        node = new TempHost(dir.resolve("node"));
        cluster.prepareNode(node);
        cluster.stub(pve);
    }

    private int run(TempHost host, PveClients clients, String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        Services services = new Services(host.paths(), Map.of(), clock, new FakeMonotonic(), ga::client, clients);
        int code = Cli.run(services, new PrintWriter(o, true), new PrintWriter(e, true), args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> rows() {
        return (List<Map<String, Object>>) Json.parseObject("{\"a\":" + out + "}", "stdout").get("a");
    }

    private Map<String, Object> row(int vmid) {
        return rows().stream().filter(r -> ((Number) r.get("vmid")).intValue() == vmid).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static List<String> problems(Map<String, Object> r) {
        return (List<String>) r.get("problems");
    }

    @Nested
    class OnANodeWithTheApiToken {
        private int statusAllJson() {
            return run(node, PveApi.clientsWithoutPvesh(node.paths(), pve.getHttpsPort()), "status", "--all", "--json");
        }

        @Test
        void listsExactlyTheTaggedQemuVmsPlusPolicyFilesOf500() {
            assertEquals(0, statusAllJson(), err);

            TreeSet<Integer> listed = rows().stream().map(r -> ((Number) r.get("vmid")).intValue())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(cluster.expectedVmids(), listed);
            assertEquals(listed.size(), rows().size(), "one row per VM");
        }

        @Test
        void everyRowHasTheFieldsOfStatusJsonInOrder() {
            statusAllJson();

            for (Map<String, Object> r : rows()) {
                assertEquals(List.of("vmid", "name", "node", "running", "mode", "expectedTime", "guestTime", "driftMs",
                        "inTolerance", "timeSync", "timeSyncDisabled", "isolation", "lastApply", "problems"), List.copyOf(r.keySet()),
                        "VM " + r.get("vmid"));
            }
        }

        @Test
        void remoteGuestTimeComesFromAgentGetTimeThroughTheApi() {
            statusAllJson();

            Map<String, Object> r = row(cluster.healthyRemote);
            assertEquals(cluster.nodeOf(cluster.healthyRemote), r.get("node"));
            assertEquals(true, r.get("running"));
            assertEquals("fixed", r.get("mode"));
            assertEquals("2021-03-01T13:00:00.504Z", r.get("guestTime"));
            assertEquals("2021-03-01T13:00:00.500Z", r.get("expectedTime"), "date + uptime 3600 s + half a second");
            assertEquals(4.0, ((Number) r.get("driftMs")).doubleValue(), 1e-9);
            assertEquals(true, r.get("inTolerance"));
            assertEquals("disable", r.get("timeSync"));
            @SuppressWarnings("unchecked")
            Map<String, Object> last = (Map<String, Object>) r.get("lastApply");
            assertEquals("ok", last.get("result"), "from the Notes line");
            assertEquals("2026-11-25T10:31:00Z", last.get("finishedAt"));
            assertEquals(List.of(), problems(r));
            pve.verify(1, getRequestedFor(urlPathMatching(".*/qemu/" + cluster.healthyRemote + "/agent/get-time")));
        }

        @Test
        void uptimeComesFromOneVmListPerNodeNotOneCallPerVm() {
            statusAllJson();

            for (int n = 2; n <= 5; n++) {
                pve.verify(1, getRequestedFor(urlPathMatching(".*/nodes/pve" + n + "/qemu")));
            }
            pve.verify(0, getRequestedFor(urlPathMatching(".*/status/current")));
        }

        @Test
        void withoutTheNodeListEachVmsOwnStatusGivesTheUptime() {
            pve.stubFor(get(urlPathMatching(PveApi.API + "/nodes/pve[0-9]+/qemu")).atPriority(1)
                    .willReturn(PveApi.pveError(403, "Permission check failed (/nodes/pve2, Sys.Audit)")));

            statusAllJson();

            Map<String, Object> r = row(cluster.healthyRemote);
            assertEquals("2021-03-01T13:00:00.500Z", r.get("expectedTime"));
            assertEquals(List.of(), problems(r));
            pve.verify(1, getRequestedFor(urlPathMatching(".*/qemu/" + cluster.healthyRemote + "/status/current")));
        }

        @Test
        void aNodeThatPveproxyCannotReachIsNamedOnceAndItsOtherVmsAreSkipped() {
            String dead = cluster.nodeOf(cluster.healthyRemote);
            pve.stubFor(get(urlPathMatching(PveApi.API + "/nodes/" + dead + "/.*")).atPriority(1)
                    .willReturn(PveApi.pveError(596, "Connection timed out")));

            assertEquals(0, statusAllJson(), err);

            List<Map<String, Object>> onDead = rows().stream().filter(r -> dead.equals(r.get("node"))).toList();
            assertTrue(onDead.size() > 3, "enough VMs on the dead node: " + onDead.size());
            for (Map<String, Object> r : onDead) {
                assertFalse(problems(r).isEmpty(), r.toString());
            }
            long skipped = onDead.stream().filter(r -> problems(r).get(0).startsWith("node " + dead + " did not answer")).count();
            assertTrue(skipped > 0, onDead.toString());
            // without the memo every VM there would cost its config read with 3 attempts
            int sent = pve.findAll(getRequestedFor(urlPathMatching(".*/nodes/" + dead + "/.*"))).size();
            assertTrue(sent < 3 * onDead.size(), sent + " requests for " + onDead.size() + " VMs");
            assertEquals(List.of(), problems(row(otherHealthy(dead))));
        }

        private int otherHealthy(String deadNode) {
            return cluster.vms.stream().filter(v -> v.listed() && v.running() && !v.node().equals(deadNode)
                    && !v.node().equals(ClusterScenario.LOCAL_NODE) && v.vmid() != cluster.agentDown
                    && v.vmid() != cluster.forbidden).findFirst().orElseThrow().vmid();
        }

        @Test
        void localVmsUseTheLocalAgentNotTheApi() {
            statusAllJson();

            Map<String, Object> r = row(cluster.localWithAgent);
            assertEquals(ClusterScenario.LOCAL_NODE, r.get("node"));
            assertEquals(true, r.get("running"));
            assertEquals("2026-01-10T08:00:00Z", r.get("guestTime"), "the fake local agent's clock");
            assertTrue(ga.requests().stream().anyMatch(q -> q.command().equals("guest-get-time")));
            pve.verify(0, getRequestedFor(urlPathMatching(".*/nodes/" + ClusterScenario.LOCAL_NODE + "/.*")));
        }

        @Test
        void aFailingVmBecomesAProblemNotACrash() {
            assertEquals(0, statusAllJson(), err);

            Map<String, Object> down = row(cluster.agentDown);
            assertNull(down.get("guestTime"));
            assertTrue(problems(down).stream().anyMatch(p -> p.startsWith("guest time not readable: ")
                    && p.contains("QEMU guest agent is not running")), problems(down).toString());
            Map<String, Object> refused = row(cluster.forbidden);
            assertTrue(problems(refused).stream().anyMatch(p -> p.startsWith("config not readable: ")
                    && p.contains("VM.Audit")), problems(refused).toString());
            assertEquals(List.of(), problems(row(cluster.healthyRemote)));
            // a 403 is neither retried nor repeated as root for a read: the missing privilege is the answer
            pve.verify(1, getRequestedFor(urlPathMatching(".*/qemu/" + cluster.forbidden + "/config")));
        }

        @Test
        void policyFilesWithoutAVmAndUntaggedPoliciesAreListed() {
            statusAllJson();

            assertTrue(problems(row(ClusterScenario.ORPHAN)).get(0).contains("orphan policy"));
            Map<String, Object> untagged = row(ClusterScenario.UNTAGGED_WITH_POLICY);
            assertEquals("fixed", untagged.get("mode"));
        }

        @Test
        void everyRequestCarriesTheTokenAndNoneWrites() {
            statusAllJson();

            List<LoggedRequest> all = pve.findAll(anyRequestedFor(anyUrl()));
            assertFalse(all.isEmpty());
            for (LoggedRequest r : all) {
                assertEquals("GET", r.getMethod().getName(), r.getUrl());
                assertEquals("PVEAPIToken=" + ClusterScenario.TOKEN_LINE, r.getHeader("Authorization"), r.getUrl());
            }
            pve.verify(0, postRequestedFor(anyUrl()));
            pve.verify(0, putRequestedFor(anyUrl()));
            pve.verify(0, deleteRequestedFor(anyUrl()));
        }

        @Test
        void textOutputHasOneLinePerVmWithItsNode() {
            assertEquals(0, run(node, PveApi.clientsWithoutPvesh(node.paths(), pve.getHttpsPort()), "status", "--all"), err);

            assertTrue(out.startsWith("VMID   NODE"), out);
            String line = out.lines().filter(l -> l.startsWith(cluster.healthyRemote + " ")).findFirst().orElseThrow();
            assertTrue(line.contains(cluster.nodeOf(cluster.healthyRemote)) && line.contains("4.0 ms"), line);
        }

        @Test
        void vmidsAndAllTogetherAreInvalidInput() {
            assertEquals(2, run(node, PveApi.clientsWithoutPvesh(node.paths(), pve.getHttpsPort()), "status", "--all", "105"));
            assertTrue(err.contains("--all"), err);
        }
    }

    @Nested
    class FromAWorkstationWithRemote {
        private TempHost workstation;
        private Path tokenFile;

        @BeforeEach
        void noPveDirHere() throws IOException {
            workstation = new TempHost(dir.resolve("laptop"));
            Files.delete(workstation.paths().policyDir());
            tokenFile = dir.resolve("pve-token");
            Files.writeString(tokenFile, ClusterScenario.TOKEN_LINE + "\n");
            Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        }

        private int remote(String... extra) {
            String[] base = {"status", "--all", "--json", "--remote", PveApi.base(pve.getHttpsPort()), "--token-file",
                    tokenFile.toString(), "--ca", PvePki.get().caPem.toString()};
            String[] args = new String[base.length + extra.length];
            System.arraycopy(base, 0, args, 0, base.length);
            System.arraycopy(extra, 0, args, base.length, extra.length);
            return run(workstation, PveApi.clientsWithoutPvesh(workstation.paths(), pve.getHttpsPort()), args);
        }

        @Test
        void listsTheTaggedVmsOfEveryNodeFromTheNotesLine() {
            assertEquals(0, remote(), err);

            TreeSet<Integer> expected = cluster.expectedVmids();
            expected.remove(ClusterScenario.UNTAGGED_WITH_POLICY); // only pmxcfs knows those two
            expected.remove(ClusterScenario.ORPHAN);
            TreeSet<Integer> listed = rows().stream().map(r -> ((Number) r.get("vmid")).intValue())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(expected, listed);
            Map<String, Object> r = row(cluster.healthyRemote);
            assertEquals("fixed", r.get("mode"), "from the Notes line");
            assertEquals(4.0, ((Number) r.get("driftMs")).doubleValue(), 1e-9);
            assertNull(r.get("timeSync"), "not in the Notes line");
        }

        @Test
        void vmsOfThisMachinesNameAreStillReadThroughTheApi() {
            remote();

            Map<String, Object> r = row(cluster.localWithAgent);
            assertEquals("2021-03-01T13:00:00.504Z", r.get("guestTime"));
            assertTrue(ga.requests().isEmpty(), "no local agent off-node");
        }

        @Test
        void namedVmidsWithRemoteAreReadWhereverTheyRun() {
            assertEquals(0, run(workstation, PveApi.clientsWithoutPvesh(workstation.paths(), pve.getHttpsPort()), "status",
                    String.valueOf(cluster.healthyRemote), "123456", "--json", "--remote", PveApi.base(pve.getHttpsPort()),
                    "--token-file", tokenFile.toString(), "--ca", PvePki.get().caPem.toString()), err);

            assertEquals(2, rows().size());
            assertEquals(List.of(), problems(row(cluster.healthyRemote)));
            assertEquals(List.of("VM 123456 not found in the cluster"), problems(row(123456)));
        }

        @Test
        void aGroupReadableTokenFileIsRefusedWithOneLineNamingItAndTheFix() throws IOException {
            Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-r-----"));

            assertEquals(2, remote());

            List<String> lines = err.lines().toList();
            assertEquals(1, lines.size(), err);
            assertTrue(lines.get(0).contains(tokenFile.toString()) && lines.get(0).contains("chmod 600"), err);
            assertEquals("", out);
            pve.verify(0, anyRequestedFor(anyUrl()));
        }

        @Test
        void aWrongPinIsRefusedShowingBothFingerprints() {
            String wrong = "AA".repeat(32);
            assertEquals(3, run(workstation, PveApi.clientsWithoutPvesh(workstation.paths(), pve.getHttpsPort()), "status",
                    "--all", "--remote", PveApi.base(pve.getHttpsPort()), "--token-file", tokenFile.toString(), "--fingerprint", wrong));

            assertTrue(err.contains("does not match the pinned fingerprint") && err.contains("presented"), err);
        }

        @Test
        void remoteOptionsWithoutRemoteAreInvalidInput() {
            assertEquals(2, run(workstation, PveApi.clientsWithoutPvesh(workstation.paths(), pve.getHttpsPort()), "status",
                    "--all", "--token-file", tokenFile.toString()));
            assertTrue(err.contains("--token-file needs --remote"), err);
        }

        @Test
        void insecureSkipVerifyWarnsLoudly() {
            assertEquals(0, run(workstation, PveApi.clientsWithoutPvesh(workstation.paths(), pve.getHttpsPort()), "status",
                    "--all", "--remote", PveApi.base(pve.getHttpsPort()), "--token-file", tokenFile.toString(),
                    "--insecure-skip-verify"), err);
            assertTrue(err.contains("WARNING") && err.contains("NOT verified"), err);
        }
    }
}

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
import io.timeshift.host.testing.PolicyJson;
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

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code doctor --remote} and {@code verify --remote} (contract: remote/read commands) end to end: the
 * picocli commands and the real HTTPS transport against WireMock playing a node of a 4-node cluster
 * (pve4 offline) where VM 105 (tagged time-shift, hookscript {@code local:snippets/time-shift-hook})
 * runs on pve2, and pve2's {@code local} lacks the snippet.
 */
class RemoteDoctorVerifyTest {
    @RegisterExtension
    static WireMockExtension pve = PveApi.https();

    private static final String API = PveApi.API;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(ClusterScenario.T0);
    private TempHost machine;
    private Path tokenFile;
    private String out;
    private String err;

    @BeforeEach
    void clusterAndToken() throws IOException {
        machine = new TempHost(dir.resolve("machine"));
        tokenFile = dir.resolve("pve-token");
        Files.writeString(tokenFile, ClusterScenario.TOKEN_LINE + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));

        pve.stubFor(get(urlPathEqualTo(API + "/version")).willReturn(PveApi.fixture("version.json")));
        pve.stubFor(get(urlPathEqualTo(API + "/cluster/resources")).withQueryParam("type", equalTo("vm"))
                .willReturn(PveApi.json(200, "{\"data\":["
                        + "{\"id\":\"qemu/105\",\"type\":\"qemu\",\"vmid\":105,\"node\":\"pve2\",\"name\":\"jump-bmc\","
                        + "\"status\":\"running\",\"template\":0,\"tags\":\"bmc;time-shift\",\"uptime\":3600},"
                        + "{\"id\":\"qemu/106\",\"type\":\"qemu\",\"vmid\":106,\"node\":\"pve1\",\"name\":\"other\","
                        + "\"status\":\"stopped\",\"template\":0,\"uptime\":0}]}")));
        pve.stubFor(get(urlPathEqualTo(API + "/nodes/pve2/qemu/105/config")).willReturn(PveApi.fixture("qemu-config.json")));
        pve.stubFor(get(urlPathEqualTo(API + "/nodes/pve2/qemu/105/status/current"))
                .willReturn(PveApi.fixture("qemu-status-current.json")));
        pve.stubFor(get(urlPathEqualTo(API + "/nodes/pve2/qemu/105/agent/get-time"))
                .willReturn(PveApi.json(200, "{\"data\":{\"result\":" + ClusterScenario.GUEST_NS + "}}")));
        pve.stubFor(get(urlPathEqualTo(API + "/storage")).willReturn(PveApi.fixture("storage-list.json")));
        pve.stubFor(get(urlPathEqualTo(API + "/nodes")).willReturn(PveApi.fixture("nodes-three-online.json")));
        pve.stubFor(get(urlPathMatching(API + "/nodes/pve[13]/storage/local/content"))
                .willReturn(PveApi.fixture("storage-content-snippets.json")));
        pve.stubFor(get(urlPathEqualTo(API + "/nodes/pve2/storage/local/content"))
                .willReturn(PveApi.fixture("storage-content-snippets-other.json")));
        pve.stubFor(get(urlPathEqualTo(API + "/access/permissions")).willReturn(PveApi.fixture("access-permissions-root.json")));
    }

    private int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        Services services = new Services(machine.paths(), Map.of(), clock, new FakeMonotonic(),
                new FakeQemuGa(clock, new FakeMonotonic())::client, PveApi.clientsWithoutPvesh(machine.paths(), pve.getHttpsPort()));
        String[] remote = {"--remote", PveApi.base(pve.getHttpsPort()), "--token-file", tokenFile.toString(), "--ca",
                PvePki.get().caPem.toString()};
        String[] all = new String[args.length + remote.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(remote, 0, all, args.length, remote.length);
        int code = Cli.run(services, new PrintWriter(o, true), new PrintWriter(e, true), all);
        out = o.toString();
        err = e.toString();
        return code;
    }

    private void onlyTokenReads() {
        List<LoggedRequest> all = pve.findAll(anyRequestedFor(anyUrl()));
        assertTrue(!all.isEmpty());
        for (LoggedRequest r : all) {
            assertEquals("GET", r.getMethod().getName(), r.getUrl());
            assertEquals("PVEAPIToken=" + ClusterScenario.TOKEN_LINE, r.getHeader("Authorization"), r.getUrl());
        }
    }

    @Nested
    class Doctor {
        @Test
        void checksThroughTheApiOnlyAndNamesTheNodeWithoutTheSnippet() throws IOException {
            Files.delete(machine.paths().policyDir()); // a workstation: no /etc/pve

            assertEquals(1, run("doctor"), err);

            List<String> fails = out.lines().filter(l -> l.startsWith("FAIL")).toList();
            assertEquals(List.of("FAIL  node pve2: local:snippets/time-shift-hook is missing; a VM with a time-shift policy"
                    + " that migrates or starts there will refuse to start (fix: install time-shift-proxmox on pve2 (its"
                    + " postinst puts the snippet into /var/lib/vz/snippets/), or put the snippet on shared storage"
                    + " (time-shift enable <vmid> --storage <shared storage with snippets>))"), fails);
            assertTrue(out.contains("ok    Proxmox VE 8.2.4 at " + PveApi.base(pve.getHttpsPort())), out);
            assertTrue(out.contains("ok    VM 105 (node pve2) has a policy and runs local:snippets/time-shift-hook"), out);
            assertTrue(out.contains("ok    storage local allows snippets"), out);
            assertTrue(out.contains("ok    node pve1: local:snippets/time-shift-hook is present"), out);
            assertTrue(out.contains("note  with --remote only the cluster is checked"), out);
            assertTrue(out.contains("note  node pve4 (offline) was not checked for the snippet"), out);
            assertTrue(out.endsWith("doctor: 1 problem\n"), out);
            assertTrue(out.lines().noneMatch(l -> l.contains("Java 1") || l.contains("Java 2") || l.endsWith("is writable")
                    || l.contains("is valid") || l.contains("present and executable")), "local checks are skipped: " + out);
            assertEquals("", err);
            onlyTokenReads();
        }
    }

    @Nested
    class Verify {
        @Test
        void readsTheGuestClockThroughTheApiAndComparesItWithThePolicyFile() {
            machine.policy(PolicyJson.fixed(105, ClusterScenario.DATE));

            assertEquals(0, run("verify", "105", "--json"), err);

            Map<String, Object> m = Json.parseObject(out, "stdout");
            assertEquals("pve2", m.get("node"));
            assertEquals("2021-03-01T13:00:00.504Z", m.get("guestTime"));
            assertEquals("2021-03-01T13:00:00.500Z", m.get("expectedTime"), "date + uptime 3600 s + half a second");
            assertEquals(4.0, ((Number) m.get("driftMs")).doubleValue(), 1e-9);
            assertEquals(true, m.get("ok"));
            pve.verify(1, getRequestedFor(urlPathEqualTo(API + "/nodes/pve2/qemu/105/agent/get-time")));
            onlyTokenReads();
        }

        @Test
        void withoutAReadablePolicyTheExpectedTimeIsUnknownExit1OneLine() throws IOException {
            Files.delete(machine.paths().policyDir());

            assertEquals(1, run("verify", "105"));

            List<String> lines = err.lines().toList();
            assertEquals(1, lines.size(), err);
            assertTrue(lines.get(0).contains("guest clock 2021-03-01T13:00:00.504Z") && lines.get(0).contains("expected time is"
                    + " unknown here") && lines.get(0).contains("run time-shift verify 105 on pve2"), err);
            assertEquals("", out);
        }
    }
}

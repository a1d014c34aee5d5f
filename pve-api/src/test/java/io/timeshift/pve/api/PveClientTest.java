package io.timeshift.pve.api;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.timeshift.pve.api.support.PveServer.API;
import static io.timeshift.pve.api.support.PveServer.fixture;
import static io.timeshift.pve.api.support.PveServer.json;
import static io.timeshift.pve.api.support.PveServer.nullData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.timeshift.pve.api.retry.RetryConfig;
import io.timeshift.testsupport.PveFixtures;
import io.timeshift.pve.api.support.PveServer;
import io.timeshift.pve.api.support.TestCerts;
import io.timeshift.pve.api.transport.ApiToken;
import io.timeshift.pve.api.transport.HttpsTransport;
import io.timeshift.pve.api.transport.Secret;
import io.timeshift.pve.api.transport.TlsTrust;
import io.timeshift.common.error.InvalidInputException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The typed client over HTTPS against recorded PVE answers. */
class PveClientTest {
    @RegisterExtension
    static WireMockExtension pve = PveServer.https();

    static final String VM = API + "/nodes/pve1/qemu/105";
    PveClient client;

    @BeforeEach
    void connect() {
        client = PveClient.over(HttpsTransport.builder()
                .endpoint("https://localhost:" + pve.getHttpsPort())
                .credentials(new ApiToken("time-shift@pve!api", Secret.of("0b7e3a4c-9d21-4f5e-8a6b-7c8d9e0f1a2b")))
                .trust(TlsTrust.caFile(TestCerts.get().caPem))
                .build(), RetryConfig.noDelays());
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Nested
    class Cluster {
        @Test
        void versionAndNodes() {
            pve.stubFor(get(API + "/version").willReturn(fixture("version.json")));
            pve.stubFor(get(API + "/nodes").willReturn(fixture("nodes.json")));

            PveVersion v = client.version();
            List<NodeInfo> nodes = client.nodes();

            assertEquals(new PveVersion("8.2.4", "8.2", "faa83925c9641325"), v);
            assertEquals(8, v.major());
            assertEquals(2, nodes.size());
            assertTrue(nodes.get(0).online());
            assertFalse(nodes.get(1).online());
            assertTrue(nodes.get(0).sslFingerprint().orElseThrow().startsWith("3C:59"));
        }

        @Test
        void clusterResourcesMapsPveLooseTypes() {
            pve.stubFor(get(API + "/cluster/resources?type=vm").willReturn(fixture("cluster-resources-vm.json")));

            List<ClusterResource> all = client.clusterResources(ResourceType.VM);

            assertEquals(4, all.size());
            ClusterResource jump = all.get(0);
            assertEquals(new ClusterResource("qemu/105", "qemu", 105, "pve1", "running", "jump-bmc", List.of("bmc", "time-shift"), false,
                    Optional.empty()), jump);
            assertTrue(jump.hasTag("time-shift"));
            assertTrue(all.get(1).template());
            assertEquals(List.of(), all.get(1).tags());
            assertEquals(Optional.of("backup"), all.get(2).lock());
            assertEquals("lxc", all.get(3).type());
            assertFalse(all.get(3).isQemu());
        }

        @Test
        void fiveHundredVmsParseWellUnderASecond() {
            pve.stubFor(get(API + "/cluster/resources?type=vm").willReturn(json(200, PveFixtures.clusterResources(500))));
            client.clusterResources(ResourceType.VM); // warm up TLS, the pool and the classes

            long t0 = System.nanoTime();
            List<ClusterResource> all = client.clusterResources(ResourceType.VM);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            assertEquals(500, all.size());
            assertEquals(72, all.stream().filter(r -> r.hasTag("time-shift")).count());
            assertEquals(50, all.stream().filter(r -> "lxc".equals(r.type())).count());
            assertTrue(took.compareTo(Duration.ofSeconds(1)) < 0, "took " + took);
            pve.verify(exactly(2), getRequestedFor(urlEqualTo(API + "/cluster/resources?type=vm")));
        }

        @Test
        void storageDefinitions() {
            pve.stubFor(get(API + "/storage").willReturn(fixture("storage-list.json")));
            pve.stubFor(get(API + "/storage/local").willReturn(fixture("storage-local.json")));

            List<StorageConfig> all = client.storageConfig();
            StorageConfig local = client.storageConfig("local");

            assertEquals(3, all.size());
            assertTrue(all.get(0).allows("snippets"));
            assertFalse(all.get(1).allows("snippets"));
            StorageConfig nfs = all.get(2);
            assertTrue(nfs.shared());
            assertEquals(List.of("pve1", "pve2"), nfs.nodes());
            assertTrue(nfs.availableOn("pve2"));
            assertFalse(nfs.availableOn("pve3"));
            assertEquals(Optional.of("/var/lib/vz"), local.path());
            assertTrue(local.digest().isPresent());
        }
    }

    @Nested
    class Qemu {
        @Test
        void configGivesTheDigestAndTypedGetters() {
            pve.stubFor(get(VM + "/config").willReturn(fixture("qemu-config.json")));

            VmConfigView cfg = client.node("pve1").qemu(105).config();

            assertEquals("5e8d5b1f0c2a3d4e6f7a8b9c0d1e2f3a4b5c6d7e", cfg.digest());
            assertEquals(Optional.of("jump-bmc"), cfg.name());
            assertEquals(Optional.of("local:snippets/time-shift-hook"), cfg.hookscript());
            assertEquals(Optional.of("2021-03-01T12:00:00"), cfg.startdate());
            assertTrue(cfg.agentEnabled());
            assertEquals(List.of("bmc", "time-shift"), cfg.tags());
            assertTrue(cfg.description().orElseThrow().endsWith("drift 4 ms"));
            assertFalse(cfg.template());
            assertEquals(Optional.empty(), cfg.lock());
            assertEquals(Optional.of("4096"), cfg.get("memory"));
            assertEquals(Optional.of("2"), cfg.get("cores"));
            assertFalse(cfg.raw().containsKey("digest"));
        }

        @Test
        void updateConfigSendsOneFormEncodedPutWithDeleteAndDigest() {
            pve.stubFor(put(VM + "/config").willReturn(nullData()));

            client.node("pve1").qemu(105).updateConfig(ConfigUpdate.builder()
                    .set("startdate", "2021-03-01T12:00:00")
                    .set("tags", "bmc;time-shift")
                    .delete("hookscript", "args")
                    .digest("5e8d5b1f0c2a3d4e6f7a8b9c0d1e2f3a4b5c6d7e")
                    .build());

            pve.verify(exactly(1), putRequestedFor(urlEqualTo(VM + "/config"))
                    .withHeader("Content-Type", equalTo("application/x-www-form-urlencoded; charset=UTF-8"))
                    .withRequestBody(equalTo("startdate=2021-03-01T12%3A00%3A00&tags=bmc%3Btime-shift&delete=hookscript%2Cargs"
                            + "&digest=5e8d5b1f0c2a3d4e6f7a8b9c0d1e2f3a4b5c6d7e")));
        }

        @Test
        void statusShowsRunningAndTheLock() {
            pve.stubFor(get(VM + "/status/current").willReturn(fixture("qemu-status-current.json")));

            VmStatus s = client.node("pve1").qemu(105).status();

            assertTrue(s.running());
            assertEquals(Optional.of("running"), s.qmpStatus());
            assertEquals(Optional.of("backup"), s.lock());
            assertTrue(s.agentConfigured());
            assertEquals(3600, s.uptimeSeconds());
        }

        @Test
        void agentGetTimeReturnsEpochNanosFromResult() {
            pve.stubFor(get(VM + "/agent/get-time").willReturn(fixture("agent-get-time.json")));
            assertEquals(1_614_600_000_123_456_000L, client.node("pve1").qemu(105).agentGetTime());
        }

        @Test
        void badNamesAreRefusedBeforeAnyRequest() {
            assertThrows(InvalidInputException.class, () -> client.node("pve 1"));
            assertThrows(InvalidInputException.class, () -> client.node("pve1").qemu(99));
            assertThrows(InvalidInputException.class, () -> client.node("pve1").storage("../etc"));
            assertThrows(InvalidInputException.class, () -> client.node("pve1").storage("local").content("scripts"));
        }
    }

    @Nested
    class NodeLevel {
        @Test
        void storageContentFiltersByType() {
            pve.stubFor(get(API + "/nodes/pve1/storage/local/content?content=snippets").willReturn(fixture("storage-content-snippets.json")));

            List<StorageContent> snippets = client.node("pve1").storage("local").content("snippets");

            assertEquals(new StorageContent("local:snippets/time-shift-hook", "snippets", "snippet", 63), snippets.get(0));
        }
    }
}

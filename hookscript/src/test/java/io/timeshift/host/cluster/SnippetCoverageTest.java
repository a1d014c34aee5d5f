package io.timeshift.host.cluster;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.timeshift.host.testing.TempHost;
import io.timeshift.pve.api.PveClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "migrated VM refuses to start" trap: a node without our snippet. Cluster: pve1..pve3 online,
 * pve4 offline; storage {@code local} (per node) and {@code nfs-shared} (shared, pve1 and pve2 only).
 */
class SnippetCoverageTest {
    @RegisterExtension
    static WireMockExtension pve = PveApi.https();

    private static final String API = PveApi.API;

    @TempDir
    Path dir;

    private PveClient client;

    @BeforeEach
    void cluster() {
        TempHost host = new TempHost(dir);
        client = PveApi.clients(host.paths(), pve.getHttpsPort()).asRoot();
        pve.stubFor(get(urlPathEqualTo(API + "/nodes")).willReturn(PveApi.fixture("nodes-three-online.json")));
        pve.stubFor(get(urlPathEqualTo(API + "/storage")).willReturn(PveApi.fixture("storage-list.json")));
        for (String node : List.of("pve1", "pve3")) {
            pve.stubFor(get(urlPathEqualTo(API + "/nodes/" + node + "/storage/local/content"))
                    .withQueryParam("content", equalTo("snippets")).willReturn(PveApi.fixture("storage-content-snippets.json")));
        }
        pve.stubFor(get(urlPathEqualTo(API + "/nodes/pve2/storage/local/content"))
                .withQueryParam("content", equalTo("snippets")).willReturn(PveApi.fixture("storage-content-snippets-other.json")));
        pve.stubFor(get(urlPathMatching(API + "/nodes/pve[12]/storage/nfs-shared/content"))
                .willReturn(PveApi.json(200, "{\"data\":[{\"volid\":\"nfs-shared:snippets/time-shift-hook\",\"content\":\"snippets\","
                        + "\"format\":\"snippet\",\"size\":63,\"ctime\":1732550000}]}")));
        pve.stubFor(get(urlPathEqualTo(API + "/access/permissions")).willReturn(PveApi.fixture("access-permissions-root.json")));
    }

    private SnippetCoverage.Verdict verdict(SnippetCoverage.Report r, String node) {
        return r.checks().stream().filter(c -> c.node().equals(node)).findFirst().orElseThrow().verdict();
    }

    @Nested
    class OnLocalStorage {
        @Test
        void aNodeWithoutTheSnippetIsAProblemWithBothFixes() {
            SnippetCoverage.Report r = new SnippetCoverage(client).check(List.of());

            assertEquals(SnippetCoverage.Verdict.PRESENT, verdict(r, "pve1"));
            assertEquals(SnippetCoverage.Verdict.MISSING, verdict(r, "pve2"));
            assertEquals(SnippetCoverage.Verdict.PRESENT, verdict(r, "pve3"));
            String p = r.problems().stream().filter(x -> x.startsWith("node pve2:")).findFirst().orElseThrow();
            assertTrue(p.contains("local:snippets/time-shift-hook is missing") && p.contains("refuse to start")
                    && p.contains("install time-shift-proxmox on pve2") && p.contains("shared storage"), p);
        }

        @Test
        void anOfflineNodeIsNamedNotSkippedSilently() {
            SnippetCoverage.Report r = new SnippetCoverage(client).check(List.of());

            assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("node pve4 is offline")), r.problems().toString());
            assertTrue(r.checks().stream().noneMatch(c -> c.node().equals("pve4")));
        }

        @Test
        void withoutDatastoreAllocateAMissingSnippetIsUnverifiableNotMissing() {
            // PVE lists snippet volumes only with Datastore.Allocate (pve-storage check_volume_access)
            pve.stubFor(get(urlPathEqualTo(API + "/access/permissions")).willReturn(PveApi.fixture("access-permissions-audit-only.json")));

            SnippetCoverage.Report r = new SnippetCoverage(client).check(List.of());

            assertEquals(SnippetCoverage.Verdict.UNVERIFIABLE, verdict(r, "pve2"));
            assertTrue(r.problems().stream().anyMatch(p -> p.contains("cannot verify") && p.contains("Datastore.Allocate")),
                    r.problems().toString());
            pve.verify(1, getRequestedFor(urlPathEqualTo(API + "/access/permissions")).withQueryParam("path",
                    equalTo("/storage/local")));
        }
    }

    @Nested
    class OnSharedStorage {
        @Test
        void isListedOnceAndANodeOutsideItsNodeListCannotStartTheVm() {
            SnippetCoverage.Report r = new SnippetCoverage(client).check(List.of("nfs-shared:snippets/time-shift-hook"));

            assertEquals(SnippetCoverage.Verdict.PRESENT, verdict(r, "pve1"));
            assertEquals(SnippetCoverage.Verdict.PRESENT, verdict(r, "pve2"));
            assertEquals(SnippetCoverage.Verdict.STORAGE_UNAVAILABLE, verdict(r, "pve3"));
            pve.verify(1, getRequestedFor(urlPathMatching(API + "/nodes/pve[0-9]/storage/nfs-shared/content")));
            assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("node pve3:") && p.contains("limited to nodes pve1,pve2")),
                    r.problems().toString());
        }
    }

    @Test
    void aNodeThatCannotBeListedIsAProblemNotACrash() {
        pve.stubFor(get(urlPathEqualTo(API + "/nodes/pve3/storage/local/content")).atPriority(1)
                .willReturn(PveApi.pveError(596, "Connection timed out")));

        SnippetCoverage.Report r = new SnippetCoverage(client).check(List.of());

        assertEquals(SnippetCoverage.Verdict.ERROR, verdict(r, "pve3"));
        assertEquals(SnippetCoverage.Verdict.PRESENT, verdict(r, "pve1"));
        assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("node pve3: snippets not checked")), r.problems().toString());
    }
}

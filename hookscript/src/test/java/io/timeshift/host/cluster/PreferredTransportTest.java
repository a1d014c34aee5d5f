package io.timeshift.host.cluster;

import io.timeshift.testsupport.PvePki;

import io.timeshift.common.error.EnvironmentException;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.timeshift.host.testing.TempHost;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.PveVersion;
import io.timeshift.pve.api.ConfigUpdate;
import io.timeshift.pve.api.error.PveAuthException;
import io.timeshift.pve.api.error.PvePermissionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The api-setup token where it works (reads, startdate), pvesh as root otherwise (hookscript). */
class PreferredTransportTest {
    @RegisterExtension
    static WireMockExtension pve = PveApi.https();

    private static final String VERSION = PveApi.API + "/version";
    private static final String SERVICE_TOKEN = "PVEAPIToken=" + ClusterScenario.TOKEN_LINE;
    private static final String ROOT = "PVEAPIToken=" + PveApi.ROOT_TOKEN;

    @TempDir
    Path dir;

    private TempHost node;

    @BeforeEach
    void nodeWithItsCertificate() throws IOException {
        node = new TempHost(dir);
        Path local = Files.createDirectories(node.paths().pveDir().resolve("local"));
        Files.copy(PvePki.get().serverPem, local.resolve("pve-ssl.pem"), StandardCopyOption.REPLACE_EXISTING);
        pve.stubFor(get(urlPathEqualTo(VERSION)).willReturn(PveApi.fixture("version.json")));
    }

    private PveVersion versionThroughPreferred() {
        try (PveClient c = PveApi.clients(node.paths(), pve.getHttpsPort()).preferred()) {
            return c.version();
        }
    }

    @Nested
    class Choosing {
        @Test
        void aTokenFileOfMode0600IsUsed() throws IOException {
            ClusterScenario.writeToken(node, "rw-------");

            assertEquals(PreferredTransport.Kind.TOKEN, PreferredTransport.choose(node.paths()).kind());
            assertEquals("8.2.4", versionThroughPreferred().version());
            pve.verify(1, getRequestedFor(urlPathEqualTo(VERSION)).withHeader("Authorization", equalTo(SERVICE_TOKEN)));
        }

        @Test
        void aTokenFileReadableByTheGroupIsNotUsed() throws IOException {
            ClusterScenario.writeToken(node, "rw-r-----");

            PreferredTransport.Choice c = PreferredTransport.choose(node.paths());

            assertEquals(PreferredTransport.Kind.PVESH, c.kind());
            assertTrue(c.why().contains("chmod 600"), c.why());
            versionThroughPreferred();
            pve.verify(1, getRequestedFor(urlPathEqualTo(VERSION)).withHeader("Authorization", equalTo(ROOT)));
        }

        @Test
        void withoutATokenFilePveshIsUsedAndApiSetupNamed() {
            PreferredTransport.Choice c = PreferredTransport.choose(node.paths());

            assertEquals(PreferredTransport.Kind.PVESH, c.kind());
            assertTrue(c.why().contains("api-setup"), c.why());
        }

        @Test
        void hookscriptWritesAlwaysGoThroughPveshEvenWithAToken() throws IOException {
            ClusterScenario.writeToken(node, "rw-------");

            try (PveClient root = PveApi.clients(node.paths(), pve.getHttpsPort()).asRoot()) {
                root.version();
            }

            pve.verify(1, getRequestedFor(urlPathEqualTo(VERSION)).withHeader("Authorization", equalTo(ROOT)));
        }
    }

    @Nested
    class FallingBack {
        @BeforeEach
        void token() throws IOException {
            ClusterScenario.writeToken(node, "rw-------");
        }

        @Test
        void aRevokedTokenFallsBackToPveshForGood() {
            pve.stubFor(get(urlPathEqualTo(VERSION)).withHeader("Authorization", equalTo(SERVICE_TOKEN)).atPriority(1)
                    .willReturn(PveApi.pveError(401, "authentication failure")));

            try (PveClient c = PveApi.clients(node.paths(), pve.getHttpsPort()).preferred()) {
                assertEquals("8.2.4", c.version().version());
                assertEquals("8.2.4", c.version().version());
            }

            pve.verify(1, getRequestedFor(urlPathEqualTo(VERSION)).withHeader("Authorization", equalTo(SERVICE_TOKEN)));
            pve.verify(2, getRequestedFor(urlPathEqualTo(VERSION)).withHeader("Authorization", equalTo(ROOT)));
        }

        @Test
        void aWriteLackingAPrivilegeIsDoneAsRootForThatCallOnly() {
            String config = PveApi.API + "/nodes/pve1/qemu/105/config";
            pve.stubFor(put(urlPathEqualTo(config)).withHeader("Authorization", equalTo(SERVICE_TOKEN)).atPriority(1)
                    .willReturn(PveApi.pveError(403, "Permission check failed (/vms/105, VM.Config.Options)")));
            pve.stubFor(put(urlPathEqualTo(config)).atPriority(5).willReturn(PveApi.nullData()));
            ConfigUpdate startdate = ConfigUpdate.builder().set("startdate", "2021-03-01T12:00:00").build();

            try (PveClient c = PveApi.clients(node.paths(), pve.getHttpsPort()).preferred()) {
                c.node("pve1").qemu(105).updateConfig(startdate);
                c.version();
            }

            pve.verify(1, putRequestedFor(urlPathEqualTo(config)).withHeader("Authorization", equalTo(SERVICE_TOKEN)));
            pve.verify(1, putRequestedFor(urlPathEqualTo(config)).withHeader("Authorization", equalTo(ROOT)));
            pve.verify(1, getRequestedFor(urlPathEqualTo(VERSION)).withHeader("Authorization", equalTo(SERVICE_TOKEN)));
        }

        @Test
        void aReadLackingAPrivilegeNamesItInsteadOfFallingBack() {
            pve.stubFor(get(urlPathEqualTo(VERSION)).withHeader("Authorization", equalTo(SERVICE_TOKEN)).atPriority(1)
                    .willReturn(PveApi.pveError(403, "Permission check failed (/, Sys.Audit)")));

            try (PveClient c = PveApi.clients(node.paths(), pve.getHttpsPort()).preferred()) {
                PvePermissionException e = assertThrows(PvePermissionException.class, c::version);
                assertEquals(java.util.List.of("Sys.Audit"), e.privileges());
            }

            pve.verify(0, getRequestedFor(urlPathEqualTo(VERSION)).withHeader("Authorization", equalTo(ROOT)));
        }

        @Test
        void withoutPveshTheTokensOwnErrorIsShown() {
            pve.stubFor(get(urlPathEqualTo(VERSION)).withHeader("Authorization", equalTo(SERVICE_TOKEN)).atPriority(1)
                    .willReturn(PveApi.pveError(401, "authentication failure")));

            try (PveClient c = PveApi.clientsWithoutPvesh(node.paths(), pve.getHttpsPort()).preferred()) {
                // AssertionError from the stand-in is an Error, so use a supplier that throws like off-node pvesh
                assertThrows(Throwable.class, c::version);
            }
            try (PveClient c = new PveClients(node.paths(), java.util.Map.of(), () -> {
                throw new io.timeshift.common.error.EnvironmentException("pvesh not found on PATH");
            }, PveApi.base(pve.getHttpsPort()), io.timeshift.pve.api.retry.RetryConfig.noDelays()).preferred()) {
                PveAuthException e = assertThrows(PveAuthException.class, c::version);
                assertTrue(e.getMessage().contains("authentication failure"), e.getMessage());
            }
        }
    }
}

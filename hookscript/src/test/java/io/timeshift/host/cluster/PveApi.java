package io.timeshift.host.cluster;

import io.timeshift.testsupport.PvePki;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.timeshift.host.env.HostPaths;
import io.timeshift.pve.api.retry.RetryConfig;
import io.timeshift.pve.api.transport.ApiToken;
import io.timeshift.pve.api.transport.HttpsTransport;
import io.timeshift.pve.api.transport.PveTransport;
import io.timeshift.pve.api.transport.Secret;
import io.timeshift.pve.api.transport.TlsTrust;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * WireMock as a PVE node (HTTPS only, dynamic port, a certificate from {@link PvePki} for
 * {@code DNS:localhost}) and answers shaped like pveproxy's, from {@code src/test/resources/cluster/}.
 */
final class PveApi {
    static final String API = "/api2/json";
    /** The root token the tests' "pvesh" stand-in uses. */
    static final String ROOT_TOKEN = "root@pam!tests=0b5c7e8a-1f2d-4e3c-9a8b-7c6d5e4f3a2b";

    private PveApi() {
    }

    static WireMockConfiguration options() {
        PvePki c = PvePki.get();
        return wireMockConfig()
                .httpDisabled(true)
                .dynamicHttpsPort()
                .http2TlsDisabled(true)
                .keystorePath(c.serverKeystore.toString())
                .keystoreType("PKCS12")
                .keystorePassword(PvePki.PASSWORD)
                .keyManagerPassword(PvePki.PASSWORD)
                .containerThreads(16);
    }

    /** For {@code @RegisterExtension static}: one server per class, stubs and journal reset per test. */
    static WireMockExtension https() {
        return WireMockExtension.newInstance().options(options()).build();
    }

    static String base(int port) {
        return "https://localhost:" + port;
    }

    /** A file from {@code src/test/resources/cluster/}. */
    static String load(String name) {
        try (InputStream in = PveApi.class.getResourceAsStream("/cluster/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture /cluster/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ResponseDefinitionBuilder fixture(String name) {
        return json(200, load(name));
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return WireMock.aResponse().withStatus(status).withHeader("Content-Type", "application/json;charset=UTF-8").withBody(body);
    }

    /** An error as pve-http-server sends it: the message's first line as reason phrase, and the body. */
    static ResponseDefinitionBuilder pveError(int status, String message) {
        String body = "{\"data\":null,\"message\":" + io.timeshift.pve.api.json.PveJson.write(message + "\n") + "}";
        return json(status, body).withStatusMessage(message);
    }

    static ResponseDefinitionBuilder nullData() {
        return json(200, "{\"data\":null}");
    }

    /** The stand-in for pvesh (root@pam): HTTPS to the WireMock node with a root token, pinned to its certificate. */
    static Supplier<PveTransport> rootTransport(int port) {
        return () -> HttpsTransport.builder()
                .endpoint(base(port))
                .credentials(ApiToken.parse(Secret.of(ROOT_TOKEN), "test"))
                .trust(TlsTrust.caFile(PvePki.get().caPem))
                .build();
    }

    /** Clients for a node served by WireMock: pvesh replaced by {@link #rootTransport}, no retry delays. */
    static PveClients clients(HostPaths paths, int port) {
        return new PveClients(paths, Map.of(), rootTransport(port), base(port), RetryConfig.noDelays());
    }

    /** Clients whose pvesh must never be used. */
    static PveClients clientsWithoutPvesh(HostPaths paths, int port) {
        return new PveClients(paths, Map.of(), () -> {
            throw new AssertionError("pvesh was used, the API token was expected");
        }, base(port), RetryConfig.noDelays());
    }
}

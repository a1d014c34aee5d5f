package io.timeshift.pve.api.support;

import io.timeshift.testsupport.PveFixtures;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;

/**
 * WireMock as a PVE node: HTTPS only, on a dynamic port, with the test CA's server certificate
 * (SAN {@code DNS:localhost}). Plus helpers that answer like pveproxy.
 */
public final class PveServer {
    public static final String API = "/api2/json";

    private PveServer() {
    }

    /** For {@code @RegisterExtension static}: one server per test class, stubs reset per test. */
    public static WireMockExtension https() {
        TestCerts c = TestCerts.get();
        return WireMockExtension.newInstance()
                .options(wireMockConfig()
                        .httpDisabled(true)
                        .dynamicHttpsPort()
                        .http2TlsDisabled(true)
                        .keystorePath(c.serverKeystore.toString())
                        .keystoreType("PKCS12")
                        .keystorePassword(TestCerts.PASSWORD)
                        .keyManagerPassword(TestCerts.PASSWORD))
                .build();
    }

    /** 200 with a recorded body from {@code src/test/resources/pve/}. */
    public static ResponseDefinitionBuilder fixture(String name) {
        return json(200, PveFixtures.load(name));
    }

    /** A JSON answer with pveproxy's content type. */
    public static ResponseDefinitionBuilder json(int status, String body) {
        return WireMock.aResponse().withStatus(status).withHeader("Content-Type", "application/json;charset=UTF-8").withBody(body);
    }

    /**
     * An error as pve-http-server sends it: status, the first line of the message as reason phrase,
     * and {@code {"data":null,"message":...}} (plus {@code errors}) in the body.
     */
    public static ResponseDefinitionBuilder pveError(int status, String fixture) {
        String body = PveFixtures.load(fixture);
        String message = io.timeshift.pve.api.json.PveJson.text(io.timeshift.pve.api.json.PveJson.parse(body, "fixture"), "message");
        return json(status, body).withStatusMessage(message.strip().split("\n")[0]);
    }

    /** {@code {"data":null}}: what PUT config and other void methods return. */
    public static ResponseDefinitionBuilder nullData() {
        return json(200, "{\"data\":null}");
    }
}

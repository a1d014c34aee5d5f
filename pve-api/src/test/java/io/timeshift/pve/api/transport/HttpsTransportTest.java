package io.timeshift.pve.api.transport;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.timeshift.pve.api.support.PveServer.API;
import static io.timeshift.pve.api.support.PveServer.fixture;
import static io.timeshift.pve.api.support.PveServer.json;
import static io.timeshift.pve.api.support.PveServer.nullData;
import static io.timeshift.pve.api.support.PveServer.pveError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.timeshift.pve.api.ConfigUpdate;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.error.PveAuthException;
import io.timeshift.pve.api.error.PveConnectionException;
import io.timeshift.pve.api.error.PveConflictException;
import io.timeshift.pve.api.error.PveNotFoundException;
import io.timeshift.pve.api.error.PveParameterException;
import io.timeshift.pve.api.error.PvePermissionException;
import io.timeshift.pve.api.error.PveServerException;
import io.timeshift.pve.api.error.PveTimeoutException;
import io.timeshift.pve.api.error.PveTlsException;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.pve.api.retry.BreakerSettings;
import io.timeshift.pve.api.retry.RetryConfig;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.testsupport.PveFixtures;
import io.timeshift.pve.api.support.PveServer;
import io.timeshift.pve.api.support.TestCerts;
import io.timeshift.common.error.InvalidInputException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HttpsTransport (and the client's retry presets over it) against WireMock on a dynamic HTTPS port. */
class HttpsTransportTest {
    @RegisterExtension
    static WireMockExtension pve = PveServer.https();

    static final TestCerts CERTS = TestCerts.get();
    static final ApiToken TOKEN = new ApiToken("root@pam!ci", Secret.of("6f1d0b1e-3c47-4b0a-9f7e-1b2c3d4e5f60"));
    static final String TICKET = PveJson.text(PveJson.data(PveJson.parse(PveFixtures.load("access-ticket.json"), "t")), "ticket");
    static final String CSRF = PveJson.text(PveJson.data(PveJson.parse(PveFixtures.load("access-ticket.json"), "t")),
            "CSRFPreventionToken");
    static final String CONFIG = API + "/nodes/pve1/qemu/105/config";

    private HttpsTransport transport;

    @AfterEach
    void close() {
        if (transport != null) {
            transport.close();
        }
    }

    static String localhost() {
        return "https://localhost:" + pve.getHttpsPort();
    }

    static HttpsTransport.Builder base(PveCredentials creds) {
        return HttpsTransport.builder().endpoint(localhost()).credentials(creds).trust(TlsTrust.caFile(CERTS.caPem))
                .connectTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(5));
    }

    HttpsTransport token() {
        transport = base(TOKEN).build();
        return transport;
    }

    static String form(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Nested
    class TokenAuth {
        @Test
        void sendsThePveApiTokenHeaderAndNoCsrfOrCookieEvenOnWrites() {
            pve.stubFor(get(API + "/version").willReturn(fixture("version.json")));
            pve.stubFor(put(CONFIG).willReturn(nullData()));
            PveClient client = PveClient.over(token(), RetryConfig.noDelays());

            assertEquals("8.2.4", client.version().version());
            client.node("pve1").qemu(105).updateConfig(ConfigUpdate.builder().set("startdate", "2021-03-01T12:00:00").build());

            pve.verify(exactly(1), getRequestedFor(urlEqualTo(API + "/version"))
                    .withHeader("Authorization", equalTo("PVEAPIToken=root@pam!ci=6f1d0b1e-3c47-4b0a-9f7e-1b2c3d4e5f60")));
            pve.verify(exactly(1), putRequestedFor(urlEqualTo(CONFIG))
                    .withHeader("Authorization", containing("PVEAPIToken=root@pam!ci="))
                    .withoutHeader("CSRFPreventionToken").withoutHeader("Cookie"));
        }

        @Test
        void aRejectedTokenIsAnAuthErrorAndIsNotRetried() {
            pve.stubFor(get(API + "/version").willReturn(pveError(401, "error-401.json")));

            PveAuthException e = assertThrows(PveAuthException.class, () -> PveClient.over(token(), RetryConfig.noDelays()).version());

            assertEquals(3, e.exitCode());
            assertTrue(e.getMessage().contains("authentication failed (401 authentication failure)"), e.getMessage());
            assertFalse(e.getMessage().contains(TOKEN.secret().reveal()));
            pve.verify(exactly(1), getRequestedFor(urlEqualTo(API + "/version")));
        }

        @Test
        void toStringNeverShowsTheSecret() {
            String s = token().toString();
            assertFalse(s.contains(TOKEN.secret().reveal()), s);
            assertTrue(s.contains("PVEAPIToken=root@pam!ci=****"), s);
            assertEquals("PVEAPIToken=root@pam!ci=****", TOKEN.toString());
            assertEquals("****", TOKEN.secret().toString());
        }
    }

    @Nested
    class TicketAuth {
        final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
        final PasswordLogin login = new PasswordLogin("root@pam", Secret.of("s3cret pw&x"), null);

        HttpsTransport ticket(PasswordLogin l) {
            transport = base(l).clock(clock).build();
            return transport;
        }

        void stubLogin() {
            pve.stubFor(post(API + "/access/ticket").withRequestBody(containing("password=" + form("s3cret pw&x")))
                    .willReturn(fixture("access-ticket.json")));
        }

        @Test
        void logsInOnceThenSendsTheCookieEverywhereAndCsrfOnlyOnWrites() {
            stubLogin();
            pve.stubFor(get(API + "/version").willReturn(fixture("version.json")));
            pve.stubFor(get(CONFIG).willReturn(fixture("qemu-config.json")));
            pve.stubFor(put(CONFIG).willReturn(nullData()));
            PveClient client = PveClient.over(ticket(login), RetryConfig.noDelays());

            client.version();
            String digest = client.node("pve1").qemu(105).config().digest();
            client.node("pve1").qemu(105).updateConfig(ConfigUpdate.builder().set("startdate", "2021-03-01").digest(digest).build());

            pve.verify(exactly(1), postRequestedFor(urlEqualTo(API + "/access/ticket"))
                    .withRequestBody(equalTo("username=root%40pam&password=" + form("s3cret pw&x")))
                    .withoutHeader("Cookie").withoutHeader("CSRFPreventionToken").withoutHeader("Authorization"));
            pve.verify(exactly(1), getRequestedFor(urlEqualTo(API + "/version"))
                    .withHeader("Cookie", equalTo("PVEAuthCookie=" + TICKET)).withoutHeader("CSRFPreventionToken"));
            pve.verify(exactly(1), getRequestedFor(urlEqualTo(CONFIG))
                    .withHeader("Cookie", equalTo("PVEAuthCookie=" + TICKET)).withoutHeader("CSRFPreventionToken"));
            pve.verify(exactly(1), putRequestedFor(urlEqualTo(CONFIG))
                    .withHeader("Cookie", equalTo("PVEAuthCookie=" + TICKET))
                    .withHeader("CSRFPreventionToken", equalTo(CSRF)));
        }

        @Test
        void renewsTheTicketWhenItIs110MinutesOldByTheInjectedClock() {
            stubLogin();
            String renewed = "PVE:root@pam:6744BDD0::UmVuZXdlZF90aWNrZXRfc2lnbmF0dXJl";
            pve.stubFor(post(API + "/access/ticket").withRequestBody(containing("password=" + form(TICKET)))
                    .willReturn(json(200, "{\"data\":{\"username\":\"root@pam\",\"ticket\":\"" + renewed
                            + "\",\"CSRFPreventionToken\":\"6744BDD0:renewedCsrf\"}}")));
            pve.stubFor(get(API + "/version").willReturn(fixture("version.json")));
            pve.stubFor(put(CONFIG).willReturn(nullData()));
            PveClient client = PveClient.over(ticket(login), RetryConfig.noDelays());

            client.version();
            clock.advance(Duration.ofMinutes(109));
            client.version();
            pve.verify(exactly(1), postRequestedFor(urlEqualTo(API + "/access/ticket")));

            clock.advance(Duration.ofMinutes(2));
            client.node("pve1").qemu(105).updateConfig(ConfigUpdate.builder().set("startdate", "now").build());

            pve.verify(exactly(2), postRequestedFor(urlEqualTo(API + "/access/ticket")));
            pve.verify(exactly(1), postRequestedFor(urlEqualTo(API + "/access/ticket"))
                    .withRequestBody(equalTo("username=root%40pam&password=" + form(TICKET))));
            pve.verify(exactly(1), putRequestedFor(urlEqualTo(CONFIG))
                    .withHeader("Cookie", equalTo("PVEAuthCookie=" + renewed))
                    .withHeader("CSRFPreventionToken", equalTo("6744BDD0:renewedCsrf")));
        }

        @Test
        void anExpiredTicketIsReplacedByANewPasswordLogin() {
            stubLogin();
            pve.stubFor(get(API + "/version").willReturn(fixture("version.json")));
            PveClient client = PveClient.over(ticket(login), RetryConfig.noDelays());

            client.version();
            clock.advance(Duration.ofHours(3));
            client.version();

            pve.verify(exactly(2), postRequestedFor(urlEqualTo(API + "/access/ticket"))
                    .withRequestBody(containing("password=" + form("s3cret pw&x"))));
        }

        @Test
        void a401LogsInAgainAndRepeatsThatRequestOnce() {
            stubLogin();
            pve.stubFor(put(CONFIG).inScenario("stale").whenScenarioStateIs(STARTED)
                    .willReturn(json(401, "{\"data\":null}").withStatusMessage("permission denied - invalid PVE ticket"))
                    .willSetStateTo("fresh"));
            pve.stubFor(put(CONFIG).inScenario("stale").whenScenarioStateIs("fresh").willReturn(nullData()));
            PveClient client = PveClient.over(ticket(login), RetryConfig.noDelays());

            client.node("pve1").qemu(105).updateConfig(ConfigUpdate.builder().set("startdate", "now").build());

            pve.verify(exactly(2), postRequestedFor(urlEqualTo(API + "/access/ticket")));
            pve.verify(exactly(2), putRequestedFor(urlEqualTo(CONFIG)).withHeader("CSRFPreventionToken", equalTo(CSRF)));
        }

        @Test
        void a401AfterAFreshLoginIsFinal() {
            stubLogin();
            pve.stubFor(get(API + "/version").willReturn(json(401, "{\"data\":null}").withStatusMessage("No ticket")));

            assertThrows(PveAuthException.class, () -> PveClient.over(ticket(login), RetryConfig.noDelays()).version());

            pve.verify(exactly(2), getRequestedFor(urlEqualTo(API + "/version")));
            pve.verify(exactly(2), postRequestedFor(urlEqualTo(API + "/access/ticket")));
        }

        @Test
        void aWrongPasswordIsAnAuthErrorWithoutThePassword() {
            pve.stubFor(post(API + "/access/ticket").willReturn(pveError(401, "error-401.json")));

            PveAuthException e = assertThrows(PveAuthException.class,
                    () -> PveClient.over(ticket(login), RetryConfig.noDelays()).version());

            assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
            assertTrue(e.getMessage().startsWith("POST /access/ticket (login for GET /version): authentication failed"), e.getMessage());
        }

        @Test
        void answersATotpChallengeWithTheTicketAsTfaChallenge() {
            pve.stubFor(post(API + "/access/ticket").withRequestBody(containing("password=" + form("s3cret pw&x")))
                    .willReturn(fixture("access-ticket-needtfa.json")));
            String challenge = PveJson.text(PveJson.data(PveJson.parse(PveFixtures.load("access-ticket-needtfa.json"), "t")), "ticket");
            pve.stubFor(post(API + "/access/ticket").withRequestBody(containing("tfa-challenge=" + form(challenge)))
                    .willReturn(fixture("access-ticket.json")));
            pve.stubFor(get(API + "/version").willReturn(fixture("version.json")));
            int[] asked = {0};
            PasswordLogin tfa = new PasswordLogin("admin@pve", Secret.of("s3cret pw&x"), () -> {
                asked[0]++;
                return "123456";
            });

            PveClient.over(ticket(tfa), RetryConfig.noDelays()).version();

            assertEquals(1, asked[0]);
            pve.verify(exactly(1), postRequestedFor(urlEqualTo(API + "/access/ticket")).withRequestBody(equalTo(
                    "username=admin%40pve&password=totp%3A123456&tfa-challenge=" + form(challenge))));
            pve.verify(getRequestedFor(urlEqualTo(API + "/version")).withHeader("Cookie", equalTo("PVEAuthCookie=" + TICKET)));
        }

        @Test
        void aTotpChallengeWithoutACodeSourceSaysSo() {
            pve.stubFor(post(API + "/access/ticket").willReturn(fixture("access-ticket-needtfa.json")));

            PveAuthException e = assertThrows(PveAuthException.class,
                    () -> PveClient.over(ticket(login), RetryConfig.noDelays()).version());

            assertTrue(e.getMessage().contains("requires a second factor (TOTP)"), e.getMessage());
        }

        @Test
        void passwordLoginToStringRedacts() {
            assertEquals("PasswordLogin[root@pam, password=****]", login.toString());
        }
    }

    @Nested
    class Tls {
        @Test
        void caFileVerifiesTheChainAndTheHostName() {
            pve.stubFor(get(API + "/version").willReturn(fixture("version.json")));
            assertEquals("8.2.4", PveClient.over(token(), RetryConfig.none()).version().version());
        }

        @Test
        void caFileRejectsAnAddressTheCertificateDoesNotName() {
            transport = base(TOKEN).endpoint("https://127.0.0.1:" + pve.getHttpsPort()).build();

            PveTlsException e = assertThrows(PveTlsException.class, () -> transport.call(Method.GET, "/version", Map.of()));

            assertTrue(e.getMessage().contains("the certificate does not name 127.0.0.1"), e.getMessage());
            assertFalse(e.requestMayHaveBeenSent());
            pve.verify(exactly(0), getRequestedFor(urlEqualTo(API + "/version")));
        }

        @Test
        void aPinnedFingerprintAcceptsExactlyThatLeafEvenByAddress() {
            pve.stubFor(get(API + "/version").willReturn(fixture("version.json")));
            String pin = CERTS.serverFingerprint.toString().replace(":", "").toLowerCase(Locale.ROOT);
            transport = base(TOKEN).endpoint("https://127.0.0.1:" + pve.getHttpsPort()).trust(TlsTrust.pinnedSha256(pin)).build();

            assertEquals("8.2.4", transport.call(Method.GET, "/version", Map.of()).data().get("version").asText());
        }

        @Test
        void aFingerprintMismatchShowsExpectedAndPresented() {
            transport = base(TOKEN).trust(TlsTrust.pinnedSha256(CERTS.caFingerprint.toString())).build();

            PveTlsException e = assertThrows(PveTlsException.class, () -> transport.call(Method.GET, "/version", Map.of()));

            assertTrue(e.getMessage().contains("expected SHA-256 " + CERTS.caFingerprint), e.getMessage());
            assertTrue(e.getMessage().contains("presented " + CERTS.serverFingerprint), e.getMessage());
            assertEquals(3, e.exitCode());
            pve.verify(exactly(0), getRequestedFor(urlEqualTo(API + "/version")));
        }

        @Test
        void theDefaultSystemTrustStoreRejectsASelfSignedNodeAndSuggestsCaOrPin() {
            transport = HttpsTransport.builder().endpoint(localhost()).credentials(TOKEN).build();

            PveTlsException e = assertThrows(PveTlsException.class, () -> transport.call(Method.GET, "/version", Map.of()));

            assertTrue(e.getMessage().contains("system trust store"), e.getMessage());
            assertTrue(e.getMessage().contains("--ca /etc/pve/pve-root-ca.pem"), e.getMessage());
            assertTrue(transport.toString().contains("tls=system trust store"), transport.toString());
        }

        @Test
        void tlsFailuresAreNotRetried() {
            transport = HttpsTransport.builder().endpoint(localhost()).credentials(TOKEN).build();
            assertThrows(PveTlsException.class, () -> PveClient.over(transport, RetryConfig.noDelays()).version());
            pve.verify(exactly(0), getRequestedFor(urlEqualTo(API + "/version")));
        }

        @Test
        void insecureSkipVerifyIsAnExplicitPerClientOptIn() {
            pve.stubFor(get(API + "/version").willReturn(fixture("version.json")));
            transport = HttpsTransport.builder().endpoint("https://127.0.0.1:" + pve.getHttpsPort()).credentials(TOKEN)
                    .insecureSkipVerify(true).build();

            assertEquals("8.2.4", transport.call(Method.GET, "/version", Map.of()).data().get("version").asText());
            assertTrue(transport.toString().contains("tls=NOT VERIFIED"), transport.toString());
            // a second client in the same JVM is still verified: nothing JVM-wide changed
            try (HttpsTransport strict = HttpsTransport.builder().endpoint(localhost()).credentials(TOKEN).build()) {
                assertThrows(PveTlsException.class, () -> strict.call(Method.GET, "/version", Map.of()));
            }
        }

        @Test
        void insecureAndACaFileExcludeEachOther() {
            assertThrows(InvalidInputException.class, () -> base(TOKEN).insecureSkipVerify(true).build());
        }
    }

    @Nested
    class Errors {
        PveClient client() {
            return PveClient.over(token(), RetryConfig.none());
        }

        @Test
        void status403NamesTheMissingPrivilege() {
            pve.stubFor(put(CONFIG).willReturn(pveError(403, "error-403-perm.json")));

            PvePermissionException e = assertThrows(PvePermissionException.class, () -> client().node("pve1").qemu(105)
                    .updateConfig(ConfigUpdate.builder().set("startdate", "now").build()));

            assertEquals(List.of("VM.Config.Options"), e.privileges());
            assertEquals(403, e.status());
        }

        @Test
        void status500ConfigurationFileMissingIsNotFound() {
            pve.stubFor(get(CONFIG).willReturn(pveError(500, "error-500-config-missing.json")));

            PveNotFoundException e = assertThrows(PveNotFoundException.class, () -> client().node("pve1").qemu(105).config());

            assertEquals("GET /nodes/pve1/qemu/105/config: not found: Configuration file 'nodes/pve1/qemu-server/105.conf' does not exist",
                    e.getMessage());
        }

        @Test
        void status500ChecksumMismatchIsADigestConflict() {
            pve.stubFor(put(CONFIG).willReturn(pveError(500, "error-500-checksum.json")));

            PveConflictException e = assertThrows(PveConflictException.class, () -> client().node("pve1").qemu(105)
                    .updateConfig(ConfigUpdate.builder().set("startdate", "now").build()));

            assertEquals(PveConflictException.Reason.DIGEST_MISMATCH, e.reason());
        }

        @Test
        void hookscriptWithATokenIsRootOnly() {
            pve.stubFor(put(CONFIG).willReturn(pveError(500, "error-500-hookscript-root.json")));

            PvePermissionException e = assertThrows(PvePermissionException.class, () -> client().node("pve1").qemu(105)
                    .updateConfig(ConfigUpdate.builder().set("hookscript", "local:snippets/time-shift-hook").build()));

            assertTrue(e.getMessage().contains("only the user root@pam"), e.getMessage());
        }

        @Test
        void status400KeepsTheFieldErrors() {
            pve.stubFor(put(CONFIG).willReturn(pveError(400, "error-400-param.json")));

            PveParameterException e = assertThrows(PveParameterException.class, () -> client().node("pve1").qemu(105)
                    .updateConfig(ConfigUpdate.builder().set("startdate", "2021-3-1 12:00").build()));

            assertEquals(Map.of("startdate", "value does not match the regex pattern"), e.fieldErrors());
            assertEquals(2, e.exitCode());
        }

        @Test
        void status596ProxyErrorUsesTheReasonPhrase() {
            pve.stubFor(get(API + "/version").willReturn(aResponse().withStatus(596).withStatusMessage("Connection timed out")));

            PveServerException e = assertThrows(PveServerException.class, () -> client().version());

            assertEquals(596, e.status());
            assertEquals("GET /version: server error 596: Connection timed out", e.getMessage());
        }

        @Test
        void anHtmlErrorPageGivesItsFirstLineOfTextOnly() {
            pve.stubFor(get(API + "/version").willReturn(aResponse().withStatus(502).withHeader("Content-Type", "text/html")
                    .withBody(PveFixtures.load("error-502.html"))));

            PveServerException e = assertThrows(PveServerException.class, () -> client().version());

            assertEquals("GET /version: server error 502: 502 Bad Gateway", e.getMessage());
        }

        @Test
        void aSuccessThatIsNotJsonIsAProtocolError() {
            pve.stubFor(get(API + "/version").willReturn(aResponse().withStatus(200).withBody("<html>login</html>")));

            RuntimeException e = assertThrows(RuntimeException.class, () -> client().version());

            assertTrue(e.getMessage().contains("unexpected answer: not JSON"), e.getMessage());
        }
    }

    /** Failsafe presets verified by what reached the server. Delays are zero; reads and writes get 3 attempts. */
    @Nested
    class Faults {
        HttpsTransport quick() {
            transport = base(TOKEN).responseTimeout(Duration.ofMillis(300)).build();
            return transport;
        }

        PveClient client() {
            return PveClient.over(quick(), RetryConfig.noDelays());
        }

        @Test
        void aSlowReadTimesOutAndIsRetried() {
            pve.stubFor(get(API + "/version").willReturn(fixture("version.json").withFixedDelay(1500)));

            PveTimeoutException e = assertThrows(PveTimeoutException.class, () -> client().version());

            assertTrue(e.requestMayHaveBeenSent());
            assertEquals(Duration.ofMillis(300), e.limit());
            pve.verify(exactly(3), getRequestedFor(urlEqualTo(API + "/version")));
        }

        @Test
        void aSlowWriteIsSentExactlyOnce() {
            pve.stubFor(put(CONFIG).willReturn(nullData().withFixedDelay(1500)));

            assertThrows(PveTimeoutException.class, () -> client().node("pve1").qemu(105)
                    .updateConfig(ConfigUpdate.builder().set("startdate", "now").build()));

            pve.verify(exactly(1), putRequestedFor(urlEqualTo(CONFIG)));
        }

        @Test
        void aConnectionResetOnAReadIsRetried() {
            pve.stubFor(get(API + "/version").inScenario("reset").whenScenarioStateIs(STARTED)
                    .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("ok"));
            pve.stubFor(get(API + "/version").inScenario("reset").whenScenarioStateIs("ok").willReturn(fixture("version.json")));

            assertEquals("8.2.4", client().version().version());

            pve.verify(exactly(2), getRequestedFor(urlEqualTo(API + "/version")));
        }

        @Test
        void aConnectionResetOnAWriteIsNeverResent() {
            pve.stubFor(post(API + "/access/users").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

            PveConnectionException e = assertThrows(PveConnectionException.class,
                    () -> client().access().createUser("time-shift@pve", "time-shift"));

            assertTrue(e.requestMayHaveBeenSent());
            pve.verify(exactly(1), postRequestedFor(urlEqualTo(API + "/access/users")));
        }

        @Test
        void anEmptyResponseToAWriteIsNeverResent() {
            pve.stubFor(put(CONFIG).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));

            assertThrows(PveConnectionException.class, () -> client().node("pve1").qemu(105)
                    .updateConfig(ConfigUpdate.builder().set("startdate", "now").build()));

            pve.verify(exactly(1), putRequestedFor(urlEqualTo(CONFIG)));
        }

        @Test
        void serverErrorsOnWritesAreNeverResent() {
            pve.stubFor(put(CONFIG).willReturn(aResponse().withStatus(596).withStatusMessage("Connection timed out")));
            pve.stubFor(post(API + "/access/roles").willReturn(json(500, "{\"data\":null,\"message\":\"boom\\n\"}")));
            PveClient client = client();

            assertThrows(PveServerException.class, () -> client.node("pve1").qemu(105)
                    .updateConfig(ConfigUpdate.builder().set("startdate", "now").build()));
            assertThrows(PveServerException.class, () -> client.access().createRole("TimeShift", new java.util.TreeSet<>(List.of("VM.Audit"))));

            pve.verify(exactly(1), putRequestedFor(urlEqualTo(CONFIG)));
            pve.verify(exactly(1), postRequestedFor(urlEqualTo(API + "/access/roles")));
        }

        @Test
        void status596OnAReadIsRetriedUntilItAnswers() {
            pve.stubFor(get(API + "/version").inScenario("proxy").whenScenarioStateIs(STARTED)
                    .willReturn(aResponse().withStatus(596).withStatusMessage("Connection timed out")).willSetStateTo("ok"));
            pve.stubFor(get(API + "/version").inScenario("proxy").whenScenarioStateIs("ok").willReturn(fixture("version.json")));

            assertEquals("8.2.4", client().version().version());
            pve.verify(exactly(2), getRequestedFor(urlEqualTo(API + "/version")));
        }

        @Test
        void status500OnAReadIsRetriedAtMostThreeTimes() {
            pve.stubFor(get(API + "/version").willReturn(json(500, "{\"data\":null,\"message\":\"internal error\\n\"}")));

            assertThrows(PveServerException.class, () -> client().version());
            pve.verify(exactly(3), getRequestedFor(urlEqualTo(API + "/version")));
        }

        @Test
        void status501And4xxAreNotRetried() {
            pve.stubFor(get(API + "/version").willReturn(json(501, "{\"data\":null,\"message\":\"Method 'GET /version' not implemented\"}")));
            pve.stubFor(get(CONFIG).willReturn(pveError(403, "error-403-perm.json")));
            PveClient client = client();

            assertThrows(PveServerException.class, client::version);
            assertThrows(PvePermissionException.class, () -> client.node("pve1").qemu(105).config());

            pve.verify(exactly(1), getRequestedFor(urlEqualTo(API + "/version")));
            pve.verify(exactly(1), getRequestedFor(urlEqualTo(CONFIG)));
        }

        @Test
        void aConnectionRefusedBeforeSendingIsMarkedSafeToResend() throws Exception {
            int closed;
            try (ServerSocket s = new ServerSocket(0)) {
                closed = s.getLocalPort();
            }
            transport = base(TOKEN).endpoint("https://localhost:" + closed).build();

            PveConnectionException e = assertThrows(PveConnectionException.class,
                    () -> PveClient.over(transport, RetryConfig.noDelays()).node("pve1").qemu(105)
                            .updateConfig(ConfigUpdate.builder().set("startdate", "now").build()));

            assertFalse(e.requestMayHaveBeenSent());
            assertTrue(e.getMessage().contains("cannot connect to localhost:" + closed), e.getMessage());
        }

        @Test
        void theCircuitBreakerFailsFastForADeadEndpoint() {
            pve.stubFor(get(API + "/version").willReturn(aResponse().withStatus(503).withStatusMessage("Service Unavailable")));
            PveClient client = PveClient.over(quick(), RetryConfig.none().withBreaker(new BreakerSettings(3, Duration.ofMinutes(1))));

            for (int i = 0; i < 3; i++) {
                assertThrows(PveServerException.class, client::version);
            }
            PveConnectionException open = assertThrows(PveConnectionException.class, client::version);

            assertTrue(open.getMessage().contains("circuit open"), open.getMessage());
            assertTrue(open.getMessage().contains("localhost:" + pve.getHttpsPort()), open.getMessage());
            pve.verify(exactly(3), getRequestedFor(urlPathEqualTo(API + "/version")));
        }
    }

    @Nested
    class Builder {
        @Test
        void theEndpointMustBeHttpsHostAndPort() {
            for (String bad : List.of("http://pve1:8006", "https://pve1:8006/api2/json", "pve1", "https://user@pve1:8006", "https://")) {
                InvalidInputException e = assertThrows(InvalidInputException.class, () -> HttpsTransport.builder().endpoint(bad));
                assertTrue(e.getMessage().contains("https://host[:port]"), bad + ": " + e.getMessage());
            }
        }

        @Test
        void thePortDefaultsTo8006() {
            transport = HttpsTransport.builder().endpoint("https://pve1").credentials(TOKEN).build();
            assertEquals("pve1:8006", transport.endpoint());
        }

        @Test
        void credentialsAreRequired() {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> HttpsTransport.builder().endpoint("https://pve1:8006").build());
            assertTrue(e.getMessage().contains("--token-file"), e.getMessage());
        }

        @Test
        void timeoutsMustBePositive() {
            assertThrows(InvalidInputException.class, () -> HttpsTransport.builder().connectTimeout(Duration.ZERO));
            assertThrows(InvalidInputException.class, () -> HttpsTransport.builder().responseTimeout(Duration.ofSeconds(-1)));
        }
    }
}

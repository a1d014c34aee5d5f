package io.timeshift.guest.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.guest.GuestContext;
import io.timeshift.guest.testsupport.Cli;
import io.timeshift.guest.testsupport.JsseServer;
import io.timeshift.guest.testsupport.LegacyJsseServers;
import io.timeshift.guest.testsupport.OpensslServer;
import io.timeshift.testsupport.TestPki;
import java.nio.file.Path;
import java.security.Security;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code probe} against real TLS servers on loopback: openssl s_server for most cases, JSSE
 * SSLServerSockets for TLS 1.3 client authentication, and a child JVM with emptied
 * disabledAlgorithms for RC4, 3DES and SSLv3 (which Debian's OpenSSL 3 no longer serves).
 * Certificates are made by openssl in the test; expected values are read back with openssl x509.
 * The clock is fixed at {@link #NOW}.
 */
class ProbeCommandTest {
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    static final String SECLEVEL0 = "ALL:@SECLEVEL=0";

    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Cert modern;
    static TestPki.Cert expired;
    static TestPki.Cert notYetValid;
    static TestPki.Cert weak;
    static TestPki.Cert md5;
    static TestPki.Cert root;
    static TestPki.Cert expiredIntermediate;
    static TestPki.Cert chainLeaf;
    static final List<AutoCloseable> servers = new ArrayList<>();
    static final Map<String, String> targets = new LinkedHashMap<>();
    static LegacyJsseServers legacy;

    @BeforeAll
    static void startServers() {
        pki = TestPki.in(dir);
        modern = pki.selfSigned("modern.test", 2048, "20200101000000Z", "20400101000000Z", "sha256");
        expired = pki.selfSigned("expired.test", 2048, "20100101000000Z", "20120101000000Z", "sha256");
        notYetValid = pki.selfSigned("future.test", 2048, "20300101000000Z", "20310101000000Z", "sha256");
        weak = pki.selfSigned("idrac6.test", 1024, "20200101000000Z", "20400101000000Z", "sha1");
        md5 = pki.selfSigned("md5.test", 2048, "20200101000000Z", "20400101000000Z", "md5");
        root = pki.ca("Test Root", 2048, "20000101000000Z", "20400101000000Z", null);
        expiredIntermediate = pki.ca("Old Intermediate", 2048, "20050101000000Z", "20100101000000Z", root);
        chainLeaf = pki.leaf("chained.test", 2048, "20060101000000Z", "20300101000000Z", "sha256", expiredIntermediate);

        openssl("modern", modern);
        openssl("tls13only", modern, "-tls1_3");
        openssl("expired", expired);
        openssl("notYetValid", notYetValid);
        openssl("tls1weak", weak, "-tls1", "-cipher", SECLEVEL0);
        openssl("tls11", modern, "-tls1_1", "-cipher", SECLEVEL0);
        openssl("md5", md5, "-tls1_2", "-cipher", SECLEVEL0);
        openssl("chain", chainLeaf, "-cert_chain", pki.bundle("chain", expiredIntermediate, root).toString());
        openssl("clientCertRequired", modern, "-tls1_2", "-Verify", "1");
        openssl("clientCertOptional", modern, "-tls1_2", "-verify", "1");
        openssl("tls13ClientCertOptional", modern, "-tls1_3", "-verify", "1");
        openssl("pskOnly", modern, "-tls1_2", "-psk", "1234", "-cipher", "PSK-AES128-CBC-SHA");

        char[] pw = "changeit".toCharArray();
        JsseServer tls13Mutual = JsseServer.tls(TestPki.keyStore(modern.key(), List.of(modern.pem()), pw), pw,
                new String[] {"TLSv1.3"}, true);
        servers.add(tls13Mutual);
        targets.put("tls13ClientCertRequired", tls13Mutual.target());
        JsseServer silent = JsseServer.silent();
        servers.add(silent);
        targets.put("silent", silent.target());
        JsseServer http = JsseServer.http();
        servers.add(http);
        targets.put("http", http.target());
        targets.put("refused", "127.0.0.1:" + JsseServer.refusedPort());

        Map<String, String> specs = new LinkedHashMap<>();
        specs.put("rc4", "TLSv1|SSL_RSA_WITH_RC4_128_SHA");
        specs.put("tripleDes", "TLSv1.2|SSL_RSA_WITH_3DES_EDE_CBC_SHA");
        specs.put("sslv3", "SSLv3|TLS_RSA_WITH_AES_128_CBC_SHA");
        legacy = LegacyJsseServers.start(dir, modern.key(), modern.pem(), specs);
        specs.keySet().forEach(name -> targets.put(name, legacy.target(name)));
    }

    private static void openssl(String name, TestPki.Cert cert, String... extra) {
        List<String> args = new ArrayList<>(List.of("-cert", cert.pem().toString(), "-key", cert.key().toString()));
        args.addAll(Arrays.asList(extra));
        OpensslServer s = OpensslServer.start(args.toArray(String[]::new));
        servers.add(s);
        targets.put(name, s.target());
    }

    @AfterAll
    static void stopServers() throws Exception {
        for (AutoCloseable s : servers) {
            s.close();
        }
        if (legacy != null) {
            legacy.close();
        }
    }

    static GuestContext ctx() {
        return Cli.context(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** Probes one named server with --json and returns its object; asserts the exit code. */
    static JsonNode probe(String name, int expectedExit, String... extra) {
        List<String> args = new ArrayList<>(List.of("probe", "--json", "--timeout", "5s"));
        args.addAll(Arrays.asList(extra));
        args.add(targets.get(name));
        Cli.Run run = Cli.run(ctx(), args.toArray(String[]::new));
        assertEquals(expectedExit, run.exitCode(), () -> run.out() + run.err());
        JsonNode array = run.json();
        assertEquals(1, array.size());
        return array.get(0);
    }

    static void assertProtocols(JsonNode r, String... accepted) {
        Map<String, Boolean> expected = new LinkedHashMap<>();
        for (String v : new String[] {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}) {
            expected.put(v, Arrays.asList(accepted).contains(v));
        }
        Map<String, Boolean> actual = new LinkedHashMap<>();
        r.get("protocols").fields().forEachRemaining(e -> actual.put(e.getKey(), e.getValue().asBoolean()));
        assertEquals(expected, actual);
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static void assertCertificate(JsonNode c, TestPki.Cert expected, String notBefore, String notAfter, int keyBits,
                                  String signatureAlgorithm, boolean selfSigned) {
        assertEquals(expected.subject(), c.get("subject").asText());
        assertEquals(expected.serialHex(), c.get("serial").asText());
        assertEquals(notBefore, c.get("notBefore").asText());
        assertEquals(notAfter, c.get("notAfter").asText());
        assertEquals("RSA", c.get("keyAlgorithm").asText());
        assertEquals(keyBits, c.get("keyBits").asInt());
        assertEquals(signatureAlgorithm, c.get("signatureAlgorithm").asText());
        assertEquals(selfSigned, c.get("selfSigned").asBoolean());
        assertEquals(expected.sha256Hex(), c.get("sha256").asText());
    }

    /**
     * This JDK's jdk.tls.disabledAlgorithms (or certpath) minus exactly {@code removed}. An entry
     * written {@code ?NAME} is removed only if this JDK has it: {@code TLS_RSA_*} is in the default
     * list of JDK 24 and of Debian 12's openjdk-17 17.0.19 on, not of 17.0.15.
     */
    static String jdkValueWithout(String property, String... removed) {
        List<String> entries = new ArrayList<>();
        for (String e : Security.getProperty(property).split(",")) {
            entries.add(e.trim());
        }
        for (String r : removed) {
            if (r.startsWith("?")) {
                entries.remove(r.substring(1));
            } else {
                assertTrue(entries.remove(r), property + " has no entry " + r);
            }
        }
        return property + "=" + String.join(", ", entries);
    }

    @Nested
    class ModernServers {
        @Test
        void reportsOkWithTheFullChainAndNoRelaxations() {
            JsonNode r = probe("modern", 0);

            assertEquals(List.of("target", "reachable", "error", "protocols", "cipherSuites", "certificates", "validNow",
                    "validAt", "clientCertRequested", "verdict", "timeShiftHelps", "relaxations"), fieldNames(r));
            assertEquals(targets.get("modern"), r.get("target").asText());
            assertTrue(r.get("reachable").asBoolean());
            assertTrue(r.get("error").isNull());
            assertProtocols(r, "TLSv1.2", "TLSv1.3");
            assertEquals(List.of("TLS_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"), strings(r.get("cipherSuites")));
            assertEquals(1, r.get("certificates").size());
            JsonNode c = r.get("certificates").get(0);
            assertEquals(List.of("subject", "issuer", "serial", "notBefore", "notAfter", "keyAlgorithm", "keyBits",
                    "signatureAlgorithm", "selfSigned", "sha256"), fieldNames(c));
            assertCertificate(c, modern, "2020-01-01T00:00:00Z", "2040-01-01T00:00:00Z", 2048, "SHA256withRSA", true);
            assertEquals(modern.subject(), c.get("issuer").asText());
            assertTrue(r.get("validNow").asBoolean());
            assertTrue(r.get("validAt").isNull());
            assertFalse(r.get("clientCertRequested").asBoolean());
            assertEquals("ok", r.get("verdict").asText());
            assertFalse(r.get("timeShiftHelps").asBoolean());
            assertEquals(List.of(), strings(r.get("relaxations")));
        }

        @Test
        void readsTheChainOfATls13OnlyServerThroughJsse() {
            JsonNode r = probe("tls13only", 0);

            assertProtocols(r, "TLSv1.3");
            assertEquals(List.of("TLS_AES_256_GCM_SHA384"), strings(r.get("cipherSuites")));
            assertCertificate(r.get("certificates").get(0), modern, "2020-01-01T00:00:00Z", "2040-01-01T00:00:00Z", 2048,
                    "SHA256withRSA", true);
            assertEquals("ok", r.get("verdict").asText());
        }
    }

    @Nested
    class CertificateDates {
        @Test
        void expiredCertificateIsATimeShiftCase() {
            JsonNode r = probe("expired", 1, "--at", "2011-01-01");

            assertEquals("expired", r.get("verdict").asText());
            assertTrue(r.get("timeShiftHelps").asBoolean());
            assertFalse(r.get("validNow").asBoolean());
            assertTrue(r.get("validAt").asBoolean());
            assertCertificate(r.get("certificates").get(0), expired, "2010-01-01T00:00:00Z", "2012-01-01T00:00:00Z", 2048,
                    "SHA256withRSA", true);
            assertEquals(List.of(), strings(r.get("relaxations")));
        }

        @Test
        void notYetValidCertificateIsATimeShiftCase() {
            JsonNode r = probe("notYetValid", 1, "--at", "2029-06-01");

            assertEquals("not-yet-valid", r.get("verdict").asText());
            assertTrue(r.get("timeShiftHelps").asBoolean());
            assertFalse(r.get("validNow").asBoolean());
            assertFalse(r.get("validAt").asBoolean());
        }

        @Test
        void expiredIntermediateMakesTheChainExpiredThoughTheLeafIsValid() {
            JsonNode r = probe("chain", 1, "--at", "2008-06-01T12:00:00Z");

            JsonNode certs = r.get("certificates");
            assertEquals(3, certs.size());
            assertCertificate(certs.get(0), chainLeaf, "2006-01-01T00:00:00Z", "2030-01-01T00:00:00Z", 2048, "SHA256withRSA", false);
            assertEquals(expiredIntermediate.subject(), certs.get(0).get("issuer").asText());
            assertCertificate(certs.get(1), expiredIntermediate, "2005-01-01T00:00:00Z", "2010-01-01T00:00:00Z", 2048,
                    "SHA256withRSA", false);
            assertCertificate(certs.get(2), root, "2000-01-01T00:00:00Z", "2040-01-01T00:00:00Z", 2048, "SHA256withRSA", true);
            assertEquals("expired", r.get("verdict").asText());
            assertFalse(r.get("validNow").asBoolean());
            assertTrue(r.get("validAt").asBoolean());
            assertTrue(r.get("timeShiftHelps").asBoolean());
        }
    }

    @Nested
    class LegacyCrypto {
        @Test
        void tls10With1024BitSha1CertificateNeedsOnlyTheProtocolRelaxedInJava() {
            JsonNode r = probe("tls1weak", 1);

            assertProtocols(r, "TLSv1");
            assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"), strings(r.get("cipherSuites")));
            assertCertificate(r.get("certificates").get(0), weak, "2020-01-01T00:00:00Z", "2040-01-01T00:00:00Z", 1024,
                    "SHA1withRSA", true);
            assertEquals("weak-crypto", r.get("verdict").asText());
            assertFalse(r.get("timeShiftHelps").asBoolean());
            // JDK 17 accepts 1024-bit RSA and SHA-1 from a private CA: only TLSv1 must go
            assertEquals(List.of(jdkValueWithout("jdk.tls.disabledAlgorithms", "TLSv1"), "security.tls.version.min=1",
                    "MinProtocol=TLSv1", "CipherString=DEFAULT:@SECLEVEL=0"), strings(r.get("relaxations")));
        }

        @Test
        void tls11OnlyServerNeedsTls11Allowed() {
            JsonNode r = probe("tls11", 1);

            assertProtocols(r, "TLSv1.1");
            assertEquals("weak-crypto", r.get("verdict").asText());
            assertEquals(List.of(jdkValueWithout("jdk.tls.disabledAlgorithms", "TLSv1.1"), "security.tls.version.min=2",
                    "MinProtocol=TLSv1.1", "CipherString=DEFAULT:@SECLEVEL=0"), strings(r.get("relaxations")));
        }

        @Test
        void md5SignedCertificateNeedsMd5AllowedInBothLists() {
            JsonNode r = probe("md5", 1);

            assertProtocols(r, "TLSv1.2");
            assertCertificate(r.get("certificates").get(0), md5, "2020-01-01T00:00:00Z", "2040-01-01T00:00:00Z", 2048,
                    "MD5withRSA", true);
            assertEquals("weak-crypto", r.get("verdict").asText());
            assertEquals(List.of(jdkValueWithout("jdk.tls.disabledAlgorithms", "MD5withRSA"),
                    jdkValueWithout("jdk.certpath.disabledAlgorithms", "MD5"),
                    "CipherString=DEFAULT:@SECLEVEL=0"), strings(r.get("relaxations")));
        }

        @Test
        void rc4OnlyTls10ServerNeedsProtocolAndCipherAllowed() {
            JsonNode r = probe("rc4", 1);

            assertProtocols(r, "TLSv1");
            assertEquals(List.of("TLS_RSA_WITH_RC4_128_SHA"), strings(r.get("cipherSuites")));
            assertEquals("weak-crypto", r.get("verdict").asText());
            assertEquals(List.of(jdkValueWithout("jdk.tls.disabledAlgorithms", "TLSv1", "RC4", "?TLS_RSA_*"), "security.tls.version.min=1",
                    "MinProtocol=TLSv1", "CipherString=DEFAULT:@SECLEVEL=0"), strings(r.get("relaxations")));
        }

        @Test
        void tripleDesOnlyServerNeedsOnly3desAllowed() {
            JsonNode r = probe("tripleDes", 1);

            assertProtocols(r, "TLSv1.2");
            assertEquals(List.of("TLS_RSA_WITH_3DES_EDE_CBC_SHA"), strings(r.get("cipherSuites")));
            assertEquals("weak-crypto", r.get("verdict").asText());
            assertEquals(List.of(jdkValueWithout("jdk.tls.disabledAlgorithms", "3DES_EDE_CBC", "?TLS_RSA_*"),
                    "security.ssl3.rsa_des_ede3_sha=true"), strings(r.get("relaxations")));
        }

        @Test
        void sslv3OnlyServerIsDetectedFromTheRawHello() {
            JsonNode r = probe("sslv3", 1);

            assertProtocols(r, "SSLv3");
            assertEquals(List.of("TLS_RSA_WITH_AES_128_CBC_SHA"), strings(r.get("cipherSuites")));
            assertEquals("weak-crypto", r.get("verdict").asText());
            assertEquals(List.of(jdkValueWithout("jdk.tls.disabledAlgorithms", "SSLv3", "?TLS_RSA_*"), "MinProtocol=SSLv3",
                    "CipherString=DEFAULT:@SECLEVEL=0"), strings(r.get("relaxations")));
        }
    }

    @Nested
    class ClientCertificates {
        @Test
        void serverRequiringAClientCertificateRejectsTheClient() {
            JsonNode r = probe("clientCertRequired", 1);

            assertTrue(r.get("clientCertRequested").asBoolean());
            assertEquals("client-rejected", r.get("verdict").asText());
            assertFalse(r.get("timeShiftHelps").asBoolean());
        }

        @Test
        void serverMerelyRequestingAClientCertificateIsOk() {
            JsonNode r = probe("clientCertOptional", 0);

            assertTrue(r.get("clientCertRequested").asBoolean());
            assertEquals("ok", r.get("verdict").asText());
        }

        @Test
        void tls13ServerMerelyRequestingAClientCertificateIsOk() {
            JsonNode r = probe("tls13ClientCertOptional", 0);

            assertProtocols(r, "TLSv1.3");
            assertTrue(r.get("clientCertRequested").asBoolean());
            assertEquals("ok", r.get("verdict").asText());
        }

        @Test
        void tls13ServerRequiringAClientCertificateRejectsTheClient() {
            JsonNode r = probe("tls13ClientCertRequired", 1);

            assertProtocols(r, "TLSv1.3");
            assertTrue(r.get("clientCertRequested").asBoolean());
            assertEquals("client-rejected", r.get("verdict").asText());
            assertEquals(1, r.get("certificates").size());
        }
    }

    @Nested
    class Unreachable {
        @Test
        void refusedPortIsUnreachable() {
            JsonNode r = probe("refused", 1);

            assertFalse(r.get("reachable").asBoolean());
            assertEquals("connection refused", r.get("error").asText());
            assertEquals("unreachable", r.get("verdict").asText());
            assertProtocols(r);
            assertEquals(0, r.get("certificates").size());
            assertTrue(r.get("validNow").isNull());
            assertFalse(r.get("timeShiftHelps").asBoolean());
        }

        @Test
        void serverThatNeverSpeaksTimesOutWithinTheBudget() {
            long start = System.nanoTime();
            Cli.Run run = Cli.run(ctx(), "probe", "--json", "--timeout", "1s", targets.get("silent"));
            long ms = (System.nanoTime() - start) / 1_000_000;

            assertEquals(1, run.exitCode());
            JsonNode r = run.json().get(0);
            assertEquals("unreachable", r.get("verdict").asText());
            assertTrue(r.get("error").asText().startsWith("no TLS answer within 1s (the connection was accepted; "),
                    r.get("error").asText());
            assertTrue(ms >= 900 && ms < 3000, "took " + ms + " ms");
        }

        @Test
        void tlsServerRefusingEveryHelloIsUnreachableWithItsAnswers() {
            JsonNode r = probe("pskOnly", 1);

            assertEquals("unreachable", r.get("verdict").asText());
            assertEquals("the TLS server refused every hello (TLSv1.2: alert handshake_failure; TLSv1.3: alert protocol_version; "
                    + "TLSv1.1: alert protocol_version; TLSv1: alert protocol_version; SSLv3: alert handshake_failure)",
                    r.get("error").asText());
        }

        @Test
        void plainHttpPortIsNotTls() {
            JsonNode r = probe("http", 1);

            assertEquals("unreachable", r.get("verdict").asText());
            assertEquals("not a TLS server: it answered 'HTTP/...'", r.get("error").asText());
        }
    }

    @Nested
    class SeveralTargets {
        @Test
        void reportsEveryTargetInArgumentOrderAndExitsOneWhenAnyIsNotOk() {
            Cli.Run run = Cli.run(ctx(), "probe", "--json", targets.get("modern"), targets.get("expired"),
                    targets.get("refused"), targets.get("tls13only"));

            assertEquals(1, run.exitCode());
            List<String> verdicts = new ArrayList<>();
            List<String> echoed = new ArrayList<>();
            run.json().forEach(r -> {
                verdicts.add(r.get("verdict").asText());
                echoed.add(r.get("target").asText());
            });
            assertEquals(List.of("ok", "expired", "unreachable", "ok"), verdicts);
            assertEquals(List.of(targets.get("modern"), targets.get("expired"), targets.get("refused"), targets.get("tls13only")), echoed);
        }

        @Test
        void probesTargetsConcurrentlyEachWithinItsOwnTimeout() {
            List<JsseServer> silent = new ArrayList<>();
            List<String> args = new ArrayList<>(List.of("probe", "--json", "--timeout", "1s"));
            for (int i = 0; i < 6; i++) {
                JsseServer s = JsseServer.silent();
                silent.add(s);
                args.add(s.target());
            }
            try {
                long start = System.nanoTime();
                Cli.Run run = Cli.run(ctx(), args.toArray(String[]::new));
                long ms = (System.nanoTime() - start) / 1_000_000;

                assertEquals(6, run.json().size());
                run.json().forEach(r -> assertEquals("unreachable", r.get("verdict").asText()));
                assertTrue(ms < 2500, "6 silent targets with 1s each took " + ms + " ms: not concurrent");
            } finally {
                silent.forEach(JsseServer::close);
            }
        }

        @Test
        void exitsZeroWhenEveryTargetIsOk() {
            Cli.Run run = Cli.run(ctx(), "probe", targets.get("modern"), "https://" + targets.get("tls13only") + "/login.html");

            assertEquals(0, run.exitCode(), run.out() + run.err());
            assertTrue(run.out().contains(targets.get("modern") + ": ok"), run.out());
            assertTrue(run.out().contains("2 targets: 2 ok, 0 not ok"), run.out());
        }
    }

    @Nested
    class TextOutput {
        @Test
        void namesEachProblemWithItsFixOnOneLine() {
            Cli.Run run = Cli.run(ctx(), "probe", targets.get("expired"));

            assertEquals(1, run.exitCode());
            assertTrue(run.out().startsWith(targets.get("expired") + ": expired: a time shift helps\n"), run.out());
            assertTrue(run.out().contains("  problem:     leaf " + expired.subject() + " expired on 2012-01-01T00:00:00Z"
                    + " -> fix: run the VM at a date inside 2010-01-01T00:00:00Z .. 2012-01-01T00:00:00Z"), run.out());
        }
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}

package io.timeshift.guest.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timeshift.testsupport.TestPki;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verdicts and relaxations from given facts, with the JDK 17 default lists pinned. */
class AssessmentTest {
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    static final Assessment JDK17 = new Assessment(JdkConstraints.parse(JdkConstraints.TLS, JdkConstraintsTest.TLS17),
            JdkConstraints.parse(JdkConstraints.CERTPATH, JdkConstraintsTest.CERTPATH17));
    @TempDir
    static Path dir;
    static X509Certificate expired512;
    static X509Certificate expired;
    static X509Certificate future;

    @BeforeAll
    static void certificates() {
        TestPki pki = TestPki.in(dir);
        expired512 = pki.selfSigned("tiny.test", 512, "20080101000000Z", "20100101000000Z", "sha256").x509();
        expired = pki.selfSigned("old.test", 2048, "20100101000000Z", "20120101000000Z", "sha256").x509();
        future = pki.selfSigned("new.test", 2048, "20300101000000Z", "20310101000000Z", "sha256").x509();
    }

    static ProbeFacts facts(TlsVersion best, String suite, String jdkSuite, List<X509Certificate> chain, Integer dhBits,
                            boolean requested, Boolean rejected) {
        Map<TlsVersion, Boolean> accepted = new EnumMap<>(TlsVersion.class);
        for (TlsVersion v : TlsVersion.values()) {
            accepted.put(v, v == best);
        }
        return new ProbeFacts("bmc:443", null, accepted, Map.of(best, suite), jdkSuite, chain, dhBits, requested, rejected, NOW, null);
    }

    @Test
    void expiredCertificateOnALegacyServerStillNeedsTheShiftAndTheRelaxations() {
        ProbeResult r = JDK17.assess(facts(TlsVersion.TLSv1, "TLS_RSA_WITH_RC4_128_SHA", null, List.of(expired512), null, false, null));

        assertEquals("expired", r.verdict());
        assertTrue(r.timeShiftHelps());
        assertEquals(List.of(
                "jdk.tls.disabledAlgorithms=SSLv3, TLSv1.1, DTLSv1.0, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, "
                        + "3DES_EDE_CBC, anon, NULL, ECDH, include jdk.disabled.namedCurves",
                "jdk.certpath.disabledAlgorithms=MD2, MD5, SHA1 jdkCA & usage TLSServer, RSA keySize < 512, DSA keySize < 1024, "
                        + "EC keySize < 224, SHA1 usage SignedJAR & denyAfter 2019-01-01",
                "security.tls.version.min=1", "MinProtocol=TLSv1", "CipherString=DEFAULT:@SECLEVEL=0"), r.relaxations());
    }

    @Test
    void aJdkSuiteCheckThatCouldNotRunIsNoWeakCryptoFinding() {
        // TLS 1.2 server picked a suite this JDK refuses, but the extra hello (any JDK suite?) got no
        // connection: nothing is known, so no "accepts no cipher suite this JDK enables" finding
        ProbeFacts f = facts(TlsVersion.TLSv1_2, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", null, List.of(future), null, false, null);
        ProbeFacts unchecked = new ProbeFacts(f.target(), f.error(), f.accepted(), f.chosenSuites(), null, f.chain(), null,
                false, null, f.now(), f.at(), false);

        ProbeResult r = JDK17.assess(unchecked);

        assertTrue(r.findings().stream().noneMatch(x -> x.problem().contains("accepts no cipher suite")), r.findings().toString());
        assertTrue(JDK17.assess(f).findings().stream().anyMatch(x -> x.problem().contains("accepts no cipher suite")));
    }

    @Test
    void chainWithoutACommonDateIsExpiredButTimeCannotHelp() {
        ProbeResult r = JDK17.assess(facts(TlsVersion.TLSv1_2, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", List.of(future, expired), null, false, null));

        assertEquals("expired", r.verdict());
        assertFalse(r.timeShiftHelps());
    }

    @Test
    void clientRejectionOutranksAnExpiredCertificate() {
        ProbeResult r = JDK17.assess(facts(TlsVersion.TLSv1_2, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", List.of(expired), null, true, true));

        assertEquals("client-rejected", r.verdict());
        assertFalse(r.timeShiftHelps());
        assertTrue(r.clientCertRequested());
    }

    @Test
    void smallDhGroupNeedsTheDhBoundLowered() {
        ProbeResult r = JDK17.assess(facts(TlsVersion.TLSv1_2, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", List.of(), 768, false, null));

        assertEquals("weak-crypto", r.verdict());
        assertEquals(List.of("jdk.tls.disabledAlgorithms=" + JdkConstraintsTest.TLS17.replace("DH keySize < 1024", "DH keySize < 768"),
                "CipherString=DEFAULT:@SECLEVEL=0"), r.relaxations());
    }

    @Test
    void preferredWeakSuiteWithAJdkSuiteAvailableNeedsNothing() {
        ProbeResult r = JDK17.assess(facts(TlsVersion.TLSv1_2, "TLS_RSA_WITH_RC4_128_SHA",
                "TLS_RSA_WITH_AES_128_CBC_SHA", List.of(), null, false, null));

        assertEquals("ok", r.verdict());
        assertEquals(List.of("TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"), r.cipherSuites());
        assertEquals(List.of(), r.relaxations());
    }

    @Test
    void suiteTheJdkDoesNotImplementSaysSo() {
        ProbeResult r = JDK17.assess(facts(TlsVersion.TLSv1_2, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", null, List.of(), null, false, null));

        assertEquals("weak-crypto", r.verdict());
        assertEquals(List.of(), r.relaxations());
        assertEquals("this JDK does not implement TLS_RSA_WITH_CAMELLIA_128_CBC_SHA at all: use a console JRE that does, "
                + "or update the BMC firmware", r.findings().get(0).fix());
    }
}

package io.timeshift.guest.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Matching and editing disabledAlgorithms lists, with the JDK 17 defaults as input. */
class JdkConstraintsTest {
    static final String TLS17 = "SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES, MD5withRSA, DH keySize < 1024, "
            + "EC keySize < 224, 3DES_EDE_CBC, anon, NULL, ECDH, include jdk.disabled.namedCurves";
    static final String CERTPATH17 = "MD2, MD5, SHA1 jdkCA & usage TLSServer, RSA keySize < 1024, DSA keySize < 1024, "
            + "EC keySize < 224, SHA1 usage SignedJAR & denyAfter 2019-01-01";
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    final JdkConstraints tls = JdkConstraints.parse(JdkConstraints.TLS, TLS17);
    final JdkConstraints certpath = JdkConstraints.parse(JdkConstraints.CERTPATH, CERTPATH17);

    @Nested
    class Blocking {
        @Test
        void protocolMatchesOnlyItsOwnEntry() {
            assertEquals(List.of("TLSv1"), tls.blocking(List.of("TLSv1"), NOW));
        }

        @Test
        void rc4SuiteIsBlockedByTheRc4Entry() {
            assertEquals(List.of("RC4"), tls.blocking(CipherSuites.constraintTokens("TLS_RSA_WITH_RC4_128_SHA"), NOW));
        }

        @Test
        void tripleDesSuiteIsBlockedBy3desEdeCbc() {
            assertEquals(List.of("3DES_EDE_CBC"), tls.blocking(CipherSuites.constraintTokens("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"), NOW));
        }

        @Test
        void exportDesSuiteIsBlockedByDes() {
            assertEquals(List.of("DES"), tls.blocking(CipherSuites.constraintTokens("TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"), NOW));
        }

        @Test
        void modernSuiteIsNotBlocked() {
            assertEquals(List.of(), tls.blocking(CipherSuites.constraintTokens("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), NOW));
        }

        @Test
        void sha1FromAJdkCaOnlyDoesNotBlockAPrivateCertificate() {
            assertEquals(List.of(), certpath.blocking(Assessment.signatureTokens("SHA1withRSA"), NOW));
        }

        @Test
        void md5IsBlockedOutright() {
            assertEquals(List.of("MD5"), certpath.blocking(Assessment.signatureTokens("MD5withRSA"), NOW));
            assertEquals(List.of("MD5withRSA"), tls.blocking(Assessment.signatureTokens("MD5withRSA"), NOW));
        }

        @Test
        void usageTlsServerAndPassedDenyAfterApply() {
            JdkConstraints c = JdkConstraints.parse(JdkConstraints.CERTPATH,
                    "SHA1 usage TLSServer, SHA1 denyAfter 2030-01-01, SHA1 usage SignedJAR");
            assertEquals(List.of("SHA1 usage TLSServer"), c.blocking(Assessment.signatureTokens("SHA1withRSA"), NOW));
            assertEquals(List.of("SHA1 usage TLSServer", "SHA1 denyAfter 2030-01-01"),
                    c.blocking(Assessment.signatureTokens("SHA1withRSA"), Instant.parse("2031-01-01T00:00:00Z")));
        }

        @Test
        void wildcardEntriesOfNewerJdksMatchByPrefix() {
            JdkConstraints c = JdkConstraints.parse(JdkConstraints.TLS, "TLS_RSA_*, RC4");
            assertEquals(List.of("TLS_RSA_*"), c.blocking(CipherSuites.constraintTokens("TLS_RSA_WITH_AES_128_CBC_SHA"), NOW));
            assertEquals(List.of(), c.blocking(CipherSuites.constraintTokens("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"), NOW));
        }
    }

    @Nested
    class KeySizes {
        @Test
        void smallKeyLowersTheBoundJustEnough() {
            assertEquals("jdk.certpath.disabledAlgorithms=MD2, MD5, SHA1 jdkCA & usage TLSServer, RSA keySize < 512, "
                    + "DSA keySize < 1024, EC keySize < 224, SHA1 usage SignedJAR & denyAfter 2019-01-01",
                    certpath.withKeySize("RSA", 512).assignment());
        }

        @Test
        void allowedKeyLeavesTheListUnchanged() {
            assertEquals(certpath, certpath.withKeySize("RSA", 1024));
        }

        @Test
        void smallDhGroupLowersTheDhBound() {
            assertEquals(TLS17.replace("DH keySize < 1024", "DH keySize < 768"),
                    tls.withKeySize("DH", 768).assignment().substring(JdkConstraints.TLS.length() + 1));
        }
    }

    @Test
    void entriesAreJoinedAsJavaSecurityWritesThem() {
        assertEquals(JdkConstraints.TLS + "=" + TLS17.replace("TLSv1, ", ""), tls.without(List.of("TLSv1")).assignment());
    }
}

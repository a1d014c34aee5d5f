package io.timeshift.pve.api.support;

import io.timeshift.pve.api.transport.Fingerprint;
import io.timeshift.testsupport.PvePki;

import java.nio.file.Path;

/** test-support's {@link PvePki} with the fingerprints this module's TLS pinning tests compare. */
public final class TestCerts {
    public static final String PASSWORD = PvePki.PASSWORD;
    private static TestCerts instance;

    public final Path dir;
    public final Path serverKeystore;
    public final Path caPem;
    public final Fingerprint serverFingerprint;
    public final Fingerprint caFingerprint;

    private TestCerts(PvePki pki) {
        dir = pki.dir;
        serverKeystore = pki.serverKeystore;
        caPem = pki.caPem;
        serverFingerprint = Fingerprint.of(pki.serverCert());
        caFingerprint = Fingerprint.of(pki.caCert());
    }

    public static synchronized TestCerts get() {
        if (instance == null) {
            instance = new TestCerts(PvePki.get());
        }
        return instance;
    }
}

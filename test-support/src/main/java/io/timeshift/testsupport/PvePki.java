package io.timeshift.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A Proxmox-shaped PKI for the HTTPS API tests, made once per test JVM with {@link TestPki}: a cluster
 * CA like {@code /etc/pve/pve-root-ca.pem} and a node certificate like {@code /etc/pve/local/pve-ssl.pem}
 * signed by it, whose only SAN is {@code DNS:localhost} (connecting to {@code 127.0.0.1} fails host name
 * verification but passes a fingerprint pin), in a PKCS12 key store for WireMock.
 */
public final class PvePki {
    public static final String PASSWORD = "changeit";
    private static PvePki instance;

    public final Path dir;
    /** PKCS12: the node's key and its chain [node, CA]. */
    public final Path serverKeystore;
    /** The CA, like /etc/pve/pve-root-ca.pem. */
    public final Path caPem;
    /** The node (leaf) certificate, like /etc/pve/local/pve-ssl.pem. */
    public final Path serverPem;
    private final TestPki.Cert ca;
    private final TestPki.Cert server;

    private PvePki(Path dir) throws Exception {
        this.dir = dir;
        TestPki pki = TestPki.in(dir);
        ca = pki.ca("Proxmox Virtual Environment", 2048, "20200101000000Z", "20491231000000Z", null);
        server = pki.localhostOnlyLeaf("localhost", 2048, "20200101000000Z", "20491231000000Z", ca);
        caPem = Files.copy(ca.pem(), dir.resolve("pve-root-ca.pem"));
        serverPem = Files.copy(server.pem(), dir.resolve("pve-ssl.pem"));
        serverKeystore = dir.resolve("server.p12");
        try (OutputStream out = Files.newOutputStream(serverKeystore)) {
            TestPki.keyStore(server.key(), List.of(server.pem(), ca.pem()), PASSWORD.toCharArray()).store(out, PASSWORD.toCharArray());
        }
    }

    public static synchronized PvePki get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("test-pve-pki");
                dir.toFile().deleteOnExit();
                instance = new PvePki(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (Exception e) {
                throw new IllegalStateException("test PKI: " + e, e);
            }
        }
        return instance;
    }

    public X509Certificate caCert() {
        return ca.x509();
    }

    public X509Certificate serverCert() {
        return server.x509();
    }
}

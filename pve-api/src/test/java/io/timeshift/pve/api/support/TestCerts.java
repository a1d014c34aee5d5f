package io.timeshift.pve.api.support;

import io.timeshift.pve.api.transport.Fingerprint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PKI for the HTTPS tests, made once per test JVM with the JDK's keytool (no test
 * dependency needed): a CA like PVE's {@code pve-root-ca.pem}, and a server certificate signed by it
 * whose only SAN is {@code DNS:localhost}, so connecting to {@code 127.0.0.1} fails host name
 * verification (but passes a fingerprint pin).
 */
public final class TestCerts {
    public static final String PASSWORD = "changeit";
    private static TestCerts instance;

    public final Path dir;
    public final Path serverKeystore;
    public final Path caPem;
    public final Fingerprint serverFingerprint;
    public final Fingerprint caFingerprint;

    private TestCerts(Path dir) throws IOException, CertificateException {
        this.dir = dir;
        Path ca = dir.resolve("ca.p12");
        serverKeystore = dir.resolve("server.p12");
        caPem = dir.resolve("pve-root-ca.pem");
        Path csr = dir.resolve("server.csr");
        Path crt = dir.resolve("server.pem");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=Proxmox Virtual Environment,OU=test,O=PVE Cluster Manager CA", "-ext", "bc:c", "-validity", "3650",
                "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD, "-file", caPem.toString());
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=localhost,OU=PVE Cluster Node,O=Proxmox Virtual Environment", "-validity", "3650",
                "-keystore", serverKeystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-certreq", "-alias", "server", "-keystore", serverKeystore.toString(), "-storepass", PASSWORD, "-file", csr.toString());
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD, "-infile", csr.toString(),
                "-outfile", crt.toString(), "-ext", "san=dns:localhost", "-ext", "eku=serverAuth", "-validity", "3650");
        // the CA reply is installed as chain [leaf, ca]; keytool needs the CA in the store for that
        Files.writeString(dir.resolve("chain.pem"), Files.readString(crt) + Files.readString(caPem), StandardCharsets.US_ASCII);
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", serverKeystore.toString(),
                "-storepass", PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", dir.resolve("chain.pem").toString(),
                "-keystore", serverKeystore.toString(), "-storepass", PASSWORD);
        keytool("-delete", "-alias", "ca", "-keystore", serverKeystore.toString(), "-storepass", PASSWORD);
        serverFingerprint = Fingerprint.of(read(crt));
        caFingerprint = Fingerprint.of(read(caPem));
    }

    public static synchronized TestCerts get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("pve-api-test-pki");
                dir.toFile().deleteOnExit();
                instance = new TestCerts(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (CertificateException e) {
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    private static X509Certificate read(Path pem) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.add("-J-XX:TieredStopAtLevel=1");
        cmd.add("-J-Xshare:auto");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}

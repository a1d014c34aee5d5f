package io.timeshift.host.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PKI made once per test JVM with the JDK's keytool, as pve-api's {@code TestCerts}
 * does (hookscript cannot see pve-api's test classes): a CA shaped like {@code pve-root-ca.pem} and a
 * server certificate signed by it for {@code DNS:localhost}, in a PKCS12 keystore for WireMock.
 */
final class TestPki {
    static final String PASSWORD = "changeit";
    private static TestPki instance;

    final Path serverKeystore;
    /** The CA, like /etc/pve/pve-root-ca.pem. */
    final Path caPem;
    /** The server (leaf) certificate, like /etc/pve/local/pve-ssl.pem. */
    final Path serverPem;

    private TestPki(Path dir) throws IOException {
        Path ca = dir.resolve("ca.p12");
        serverKeystore = dir.resolve("server.p12");
        caPem = dir.resolve("pve-root-ca.pem");
        serverPem = dir.resolve("pve-ssl.pem");
        Path csr = dir.resolve("server.csr");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=Proxmox Virtual Environment,OU=test,O=PVE Cluster Manager CA", "-ext", "bc:c", "-validity", "3650",
                "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD, "-file", caPem.toString());
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=localhost,OU=PVE Cluster Node,O=Proxmox Virtual Environment", "-validity", "3650",
                "-keystore", serverKeystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-certreq", "-alias", "server", "-keystore", serverKeystore.toString(), "-storepass", PASSWORD, "-file", csr.toString());
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD, "-infile", csr.toString(),
                "-outfile", serverPem.toString(), "-ext", "san=dns:localhost", "-ext", "eku=serverAuth", "-validity", "3650");
        Files.writeString(dir.resolve("chain.pem"), Files.readString(serverPem) + Files.readString(caPem), StandardCharsets.US_ASCII);
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", serverKeystore.toString(),
                "-storepass", PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", dir.resolve("chain.pem").toString(),
                "-keystore", serverKeystore.toString(), "-storepass", PASSWORD);
        keytool("-delete", "-alias", "ca", "-keystore", serverKeystore.toString(), "-storepass", PASSWORD);
    }

    static synchronized TestPki get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("hookscript-test-pki");
                dir.toFile().deleteOnExit();
                instance = new TestPki(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
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

package io.timeshift.guest.testsupport;

import io.timeshift.testsupport.TestPki;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * JSSE servers for what Debian's OpenSSL 3 cannot serve any more (it is built without RC4, 3DES
 * and SSLv3): a child JVM whose {@code jdk.tls.disabledAlgorithms} is emptied through
 * {@code -Djava.security.properties}. It has to be a separate process: the property is global to a
 * JVM, and the test JVM must keep the defaults the code under test relies on.
 *
 * <p>Parent side: {@link #start}; child side: {@link #main}, which prints {@code READY <name> <port>}
 * per server and exits when its stdin closes.
 */
public final class LegacyJsseServers implements AutoCloseable {
    private final Process process;
    private final Map<String, Integer> ports;

    private LegacyJsseServers(Process process, Map<String, Integer> ports) {
        this.process = process;
        this.ports = ports;
    }

    /** {@code specs}: name -> "protocols|suites", both comma-separated JSSE names. */
    public static LegacyJsseServers start(Path workDir, Path keyPem, Path certPem, Map<String, String> specs) {
        try {
            Path props = workDir.resolve("legacy-java.security");
            Files.writeString(props, "jdk.tls.disabledAlgorithms=\njdk.certpath.disabledAlgorithms=\njdk.tls.legacyAlgorithms=\n");
            // this class and test-support's TestPki (the key store), nothing else
            String classes = Paths.get(LegacyJsseServers.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    + java.io.File.pathSeparator
                    + Paths.get(TestPki.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<String> argv = new ArrayList<>(List.of(
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                    "-Djava.security.properties=" + props, "-cp", classes, LegacyJsseServers.class.getName(),
                    keyPem.toString(), certPem.toString()));
            specs.forEach((name, spec) -> argv.add(name + "|" + spec));
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Map<String, Integer> ports = new HashMap<>();
            StringBuilder seen = new StringBuilder();
            while (ports.size() < specs.size()) {
                String line = r.readLine();
                if (line == null) {
                    p.destroyForcibly();
                    throw new AssertionError("legacy JSSE server JVM exited:\n" + seen);
                }
                String[] parts = line.split(" ");
                if (parts.length == 3 && parts[0].equals("READY")) {
                    ports.put(parts[1], Integer.parseInt(parts[2]));
                } else {
                    seen.append(line).append('\n');
                }
            }
            return new LegacyJsseServers(p, ports);
        } catch (IOException | java.net.URISyntaxException e) {
            throw new AssertionError("cannot start the legacy JSSE server JVM", e);
        }
    }

    public String target(String name) {
        return "127.0.0.1:" + ports.get(name);
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }

    /** Child JVM: {@code <key.pem> <cert.pem> name|protocols|suites ...}. */
    public static void main(String[] args) throws Exception {
        char[] pw = "changeit".toCharArray();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(TestPki.keyStore(Path.of(args[0]), List.of(Path.of(args[1])), pw), pw);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        for (int i = 2; i < args.length; i++) {
            String[] spec = args[i].split("\\|");
            SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            ss.setEnabledProtocols(spec[1].split(","));
            ss.setEnabledCipherSuites(spec[2].split(","));
            Thread t = new Thread(() -> {
                while (true) {
                    try {
                        Socket s = ss.accept();
                        Thread c = new Thread(() -> {
                            try (s) {
                                ((SSLSocket) s).startHandshake();
                                s.getInputStream().read();
                            } catch (IOException e) {
                                // probes drop connections mid-handshake on purpose
                            }
                        });
                        c.setDaemon(true);
                        c.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            System.out.println("READY " + spec[0] + " " + ss.getLocalPort());
        }
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the parent closes our stdin
        }
    }
}

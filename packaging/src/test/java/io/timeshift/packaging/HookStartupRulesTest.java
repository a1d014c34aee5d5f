package io.timeshift.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The start-up rules the hook's hand-written code exists for, pinned: every hook phase, run the way
 * Proxmox runs it (through the shipped launcher script, from the shipped {@code hook.jar} alone),
 * loads none of the classes whose first use costs a fresh JVM a bootstrap of milliseconds:
 * {@code LambdaMetafactory} (any lambda or method reference), {@code java.util.regex} (its
 * predicates are lambdas), {@code sun.security.jca} (JCA providers: MessageDigest, SecureRandom) and
 * Jackson. pre-stop talks to a guest agent on a real unix socket, as on a Proxmox node.
 *
 * <p>Bound to integration-test (after the hook jar was shaded), see packaging/pom.xml.
 */
class HookStartupRulesTest {
    private static final int VM = 101;
    private static final List<String> FORBIDDEN = List.of(
            "java.lang.invoke.LambdaMetafactory", "java.util.regex.", "sun.security.jca.", "com.fasterxml.jackson.");

    /**
     * The one exception, and only while the JDK itself opens a unix socket (from one of these classes
     * being loaded until the next class of ours is): {@code SelectorProvider}'s holder uses a lambda,
     * and the JDK's unix-domain socket support creates a {@code SecureRandom} in its static initialiser
     * (for temporary socket names), so any JDK unix socket, the agent's included, loads
     * LambdaMetafactory and the JCA providers. Nothing of ours may.
     */
    private static final List<String> JDK_SOCKET_INIT = List.of(
            "java.nio.channels.spi.SelectorProvider", "sun.nio.ch.UnixDomainSockets");
    private static final List<String> JDK_SOCKET_INIT_LOADS = List.of(
            "java.lang.invoke.LambdaMetafactory", "sun.security.jca.");

    @TempDir
    Path dir;

    private Path launcher;
    private Path hookJar;

    @BeforeEach
    void pveNode() throws IOException {
        launcher = Path.of(System.getProperty("launcher.script", "bin/time-shift")).toAbsolutePath();
        hookJar = Path.of(System.getProperty("hook.jar", "")).toAbsolutePath();
        assertTrue(Files.isRegularFile(hookJar), "hook.jar not built: " + hookJar);
        Files.createDirectories(dir.resolve("pve/qemu-server"));
        Files.createDirectories(dir.resolve("pve/time-shift"));
        Files.createDirectories(dir.resolve("run"));
        Files.writeString(dir.resolve("pve/qemu-server/" + VM + ".conf"),
                "agent: 1\nhookscript: local:snippets/time-shift-hook\nostype: l26\ntags: \n");
        Files.writeString(dir.resolve("pve/time-shift/" + VM + ".json"), "{\"version\":1,\"vmid\":" + VM
                + ",\"mode\":\"continue\",\"date\":\"2021-03-01T12:00:00Z\",\"timeSync\":\"keep\",\"onError\":\"warn\"}\n");
    }

    /** Runs {@code time-shift hook <vm> <phase>} through the launcher; returns the classes it loaded. */
    private List<String> hookPhase(String phase) throws IOException, InterruptedException {
        Path log = dir.resolve(phase + ".classes");
        ProcessBuilder pb = new ProcessBuilder("sh", launcher.toString(), "hook", Integer.toString(VM), phase);
        Map<String, String> env = pb.environment();
        env.put("TIME_SHIFT_PVE_DIR", dir.resolve("pve").toString());
        env.put("TIME_SHIFT_RUN_DIR", dir.resolve("run").toString());
        env.put("TIME_SHIFT_STATE_DIR", dir.resolve("state").toString());
        env.put("TIME_SHIFT_LOG_DIR", dir.resolve("log").toString());
        env.put("TIME_SHIFT_CONFIG", dir.resolve("time-shift.json").toString());
        env.put("TIME_SHIFT_HOOK_CLASSPATH", hookJar.toString());
        env.put("TIME_SHIFT_CLASSPATH", hookJar.toString());
        env.put("TIME_SHIFT_LAUNCHER", "/bin/true"); // the detached worker the launcher starts: a no-op here
        env.put("TIME_SHIFT_CDS", "off");
        env.put("TIME_SHIFT_JAVA_OPTS", "-Xlog:class+load=info:file=" + log);
        env.put("PVE_MIGRATED_FROM", "");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), phase + " did not finish");
        assertEquals(0, p.exitValue(), phase + ": " + output);
        List<String> classes = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            int at = line.indexOf("[class,load] ");
            if (at >= 0) {
                String rest = line.substring(at + 13);
                int sp = rest.indexOf(' ');
                classes.add(sp < 0 ? rest : rest.substring(0, sp));
            }
        }
        return classes;
    }

    private static void assertNoneForbidden(String phase, List<String> classes) {
        assertTrue(classes.size() > 300, phase + ": the class-load log looks empty (" + classes.size() + " lines)");
        List<String> bad = new ArrayList<>();
        boolean inSocketInit = false;
        for (int i = 0; i < classes.size(); i++) {
            String c = classes.get(i);
            if (JDK_SOCKET_INIT.contains(c)) {
                inSocketInit = true;
            } else if (c.startsWith("io.timeshift.")) {
                inSocketInit = false;
            }
            if (inSocketInit && startsWithAny(c, JDK_SOCKET_INIT_LOADS)) {
                continue; // the JDK's own socket set-up, see JDK_SOCKET_INIT
            }
            for (String f : FORBIDDEN) {
                if (c.startsWith(f)) {
                    // the classes of ours loaded just before it say who asked for it
                    List<String> ours = new ArrayList<>();
                    for (int j = i - 1; j >= 0 && ours.size() < 3; j--) {
                        if (classes.get(j).startsWith("io.timeshift.")) {
                            ours.add(classes.get(j));
                        }
                    }
                    bad.add(classes.get(i) + " (after " + String.join(", ", ours) + "; just before: "
                            + String.join(", ", classes.subList(Math.max(0, i - 4), i)) + ")");
                }
            }
        }
        assertEquals(List.of(), bad, phase + " loads classes the hook path must not load");
    }

    private static boolean startsWithAny(String c, List<String> prefixes) {
        for (String p : prefixes) {
            if (c.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    @Nested
    class EveryPhaseLoadsNoBootstrapHeavyClass {
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"pre-start", "post-start", "post-stop"})
        @Timeout(value = 2, unit = TimeUnit.MINUTES)
        void withoutAnAgent(String phase) throws Exception {
            if (!phase.equals("pre-start")) {
                hookPhase("pre-start");
            }
            assertNoneForbidden(phase, hookPhase(phase));
        }

        @Test
        @Timeout(value = 2, unit = TimeUnit.MINUTES)
        void preStopReadingTheGuestClockThroughARealAgentSocket() throws Exception {
            hookPhase("pre-start");
            try (FakeAgent agent = new FakeAgent(dir.resolve("run/" + VM + ".qga"), 1_614_600_000_000_000_000L)) {
                List<String> classes = hookPhase("pre-stop");

                assertTrue(agent.exchanges() >= 2, "pre-stop did not talk to the agent: " + agent.exchanges());
                assertNoneForbidden("pre-stop", classes);
                assertTrue(classes.contains("io.timeshift.pve.qga.QgaClient"), "pre-stop did not use the QGA client");
            }
            String state = Files.readString(dir.resolve("state/" + VM + ".json"));
            assertTrue(state.contains("\"source\" : \"agent\""), state);
        }
    }

    /**
     * A guest agent on a unix socket, one client at a time like QEMU's chardev: answers
     * {@code guest-sync-delimited} with 0xFF and the id, {@code guest-get-time} with a fixed time.
     */
    private static final class FakeAgent implements AutoCloseable {
        private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
        private final ServerSocketChannel server;
        private final Thread thread;
        private final AtomicInteger exchanges = new AtomicInteger();

        FakeAgent(Path socket, long guestNanos) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            thread = new Thread(() -> serve(guestNanos), "fake-qga");
            thread.setDaemon(true);
            thread.start();
        }

        int exchanges() {
            return exchanges.get();
        }

        private void serve(long guestNanos) {
            while (server.isOpen()) {
                try (SocketChannel ch = server.accept()) {
                    InputStream in = Channels.newInputStream(ch);
                    OutputStream out = Channels.newOutputStream(ch);
                    StringBuilder line = new StringBuilder();
                    for (int b; (b = in.read()) >= 0; ) {
                        if (b != '\n') {
                            line.append((char) b);
                            continue;
                        }
                        String req = line.toString();
                        line.setLength(0);
                        exchanges.incrementAndGet();
                        Matcher m = ID.matcher(req);
                        if (req.contains("guest-sync-delimited") && m.find()) {
                            out.write(0xFF);
                            out.write(("{\"return\": " + m.group(1) + "}\n").getBytes(StandardCharsets.UTF_8));
                        } else if (req.contains("guest-get-time")) {
                            out.write(("{\"return\": " + guestNanos + "}\n").getBytes(StandardCharsets.UTF_8));
                        } else {
                            out.write("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"unknown\"}}\n"
                                    .getBytes(StandardCharsets.UTF_8));
                        }
                        out.flush();
                    }
                } catch (IOException e) {
                    // client went away, or the server was closed
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}

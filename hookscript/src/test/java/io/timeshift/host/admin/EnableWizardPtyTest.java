package io.timeshift.host.admin;

import io.timeshift.testsupport.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code time-shift enable <vmid>} in guided mode, driven as a person would: the real launcher
 * ({@code packaging/bin/time-shift}, which the checkout's {@code bin/time-shift} runs with the build's
 * class path; here the test class path) in its own process on a REAL pseudo-terminal made by
 * util-linux {@code script}, answering each prompt when it appears. Proxmox is the fake pvesh of
 * {@link FakePveNode}; the BMC is a TLS server on loopback whose certificate is valid only from
 * 2019-01-01 to 2021-01-01.
 */
class EnableWizardPtyTest {
    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path LAUNCHER = REPO.resolve("packaging/bin/time-shift");
    private static final String FW = "/nodes/pve1/qemu/105/firewall";
    private static final Instant NOT_BEFORE = Instant.parse("2019-01-01T00:00:00Z");
    private static final Instant NOT_AFTER = Instant.parse("2021-01-01T00:00:00Z");

    private static Path keystore;
    private static Path older;

    @TempDir
    static Path pki;

    @TempDir
    Path dir;

    private PastBmc bmc;

    @BeforeAll
    static void certificatesValidOnlyInThePast() throws Exception {
        keystore = keystore("bmc.p12", "2019/01/01 00:00:00", 731);
        older = keystore("ilo-older.p12", "2015/01/01 00:00:00", 365);
    }

    private static Path keystore(String name, String start, int days) throws Exception {
        Path ks = pki.resolve(name);
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "bmc", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-startdate", start, "-validity", Integer.toString(days), "-ext", "san=ip:127.0.0.1",
                "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return ks;
    }

    @AfterEach
    void stop() throws IOException {
        if (bmc != null) {
            bmc.close();
        }
    }

    /** A fake Proxmox node (pvesh stand-in) with VM 105 stopped and its firewall as PVE reports it. */
    private FakePveNode node(Path root) {
        FakePveNode n = new FakePveNode(root, new MutableClock(Instant.parse("2026-01-10T08:00:00Z")));
        n.reply("get", FW + "/options", FakePveNode.fixture("firewall-options-105.json"));
        n.reply("get", FW + "/ipset", FakePveNode.fixture("firewall-ipsets-105.json"));
        n.reply("get", FW + "/rules", FakePveNode.fixture("firewall-rules-105.json"));
        n.reply("get", "/cluster/firewall/options", FakePveNode.fixture("cluster-firewall-options.json"));
        return n;
    }

    /** The launcher's environment for {@code n}: its paths, its pvesh first on PATH, this build's class path. */
    private static Map<String, String> env(FakePveNode n, Map<String, String> base) {
        base.put("PATH", n.bin + ":/usr/bin:/bin");
        base.put("USER", "alice");
        base.put("TIME_SHIFT_PVE_DIR", n.host.paths().pveDir().toString());
        base.put("TIME_SHIFT_RUN_DIR", n.host.paths().runDir().toString());
        base.put("TIME_SHIFT_STATE_DIR", n.host.paths().stateDir().toString());
        base.put("TIME_SHIFT_LOG_DIR", n.host.paths().logDir().toString());
        base.put("TIME_SHIFT_CONFIG", n.host.paths().configFile().toString());
        base.put("TIME_SHIFT_LAUNCHER", n.launcher.toString());
        base.put("TIME_SHIFT_CLASSPATH", System.getProperty("java.class.path"));
        base.put("TIME_SHIFT_CDS", "off");
        base.put("JAVA_HOME", System.getProperty("java.home"));
        base.put("TERM", "dumb");
        base.remove("LC_ALL");
        return base;
    }

    /** The launcher on a pseudo-terminal: {@code script -qefc '<launcher> args' /dev/null}. */
    private Pty pty(FakePveNode n, String... args) throws IOException {
        StringBuilder cmd = new StringBuilder("exec ").append(LAUNCHER);
        for (String a : args) {
            cmd.append(' ').append(a);
        }
        ProcessBuilder pb = new ProcessBuilder("script", "-q", "-e", "-f", "-c", cmd.toString(), "/dev/null");
        env(n, pb.environment());
        pb.redirectErrorStream(true);
        return new Pty(pb.start());
    }

    /** The same launcher without a terminal (stdin /dev/null, stdout a pipe). */
    private static Result noTerminal(FakePveNode n, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(LAUNCHER.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        env(n, pb.environment());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        byte[] err = p.getErrorStream().readAllBytes();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    record Result(int exit, String out, String err) {
    }

    @Nested
    class AnsweringThePrompts {
        @Test
        void enablesWithTheProposedDateInsideTheCertificatesWindowAndTheCommandItPrintsDoesTheSame() throws Exception {
            bmc = PastBmc.start(keystore);
            FakePveNode a = node(dir.resolve("a"));
            String target = "127.0.0.1:" + bmc.port();
            String proposed;
            String command;
            try (Pty t = pty(a, "enable", "105")) {
                t.answer("BMC this VM is for, as host[:port] (--target; Enter when done) [done]: ", target);
                t.answer("BMC this VM is for, as host[:port] (--target; Enter when done) [done]: ", "");
                String shown = t.expect("proposed date ");
                assertTrue(shown.contains("probing 1 BMC from this host"), shown);
                assertTrue(shown.contains(target + ": certificates valid 2019-01-01T00:00:00Z .. 2021-01-01T00:00:00Z"), shown);
                String dateQ = t.expect("]: ");
                Matcher m = Pattern.compile("proposed date (\\S+)").matcher(shown + dateQ);
                assertTrue(m.find(), shown + dateQ);
                proposed = m.group(1);
                assertTrue(dateQ.contains("[" + proposed + "]"), "the date question offers the proposal: " + dateQ);
                t.send("");
                t.answer("(fixed/offset/continue) [fixed]: ", "");
                t.answer("so it cannot undo the shift (no: --keep-time-sync)? [Y/n] ", "");
                t.answer("(warn/abort) [warn]: ", "");
                t.answer("reaches only these BMCs (--isolate)? [Y/n] ", "");
                String preview = t.expect("Apply these changes to VM 105? [y/N] ");
                assertTrue(preview.contains("+startdate: "), preview);
                assertTrue(preview.contains("+ipset time-shift-bmc: 127.0.0.1"), preview);
                assertTrue(preview.contains("+policy_out: DROP"), preview);
                assertEquals(List.of(), a.writes(), "nothing changes before the last answer");
                t.send("y");
                String end = t.expect("the same without questions: ");
                assertTrue(end.contains("VM 105: time-shift enabled (fixed " + proposed + ")"), end);
                assertTrue(end.contains("VM 105: isolated: outbound traffic only to 127.0.0.1 on tcp/" + bmc.port()), end);
                command = t.expect("\n").strip();
                assertEquals(0, t.exit(), t.all());
                assertEquals(1, t.all().split("\\+ipset time-shift-bmc", -1).length - 1, "the preview is shown once: " + t.all());
            }
            Instant date = Instant.parse(proposed);
            assertTrue(date.isAfter(NOT_BEFORE) && date.isBefore(NOT_AFTER), proposed);
            assertEquals("time-shift enable 105 --date " + proposed + " --mode fixed --on-error warn --target " + target
                    + " --isolate --yes", command);

            // the printed command, without a terminal, on a second node in the same state: the same policy and calls
            FakePveNode b = node(dir.resolve("b"));
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.remove(0);
            Result r = noTerminal(b, args);
            assertEquals(0, r.exit(), r.out() + r.err());
            assertEquals(a.policyText(), b.policyText());
            assertEquals(a.writes(), b.writes());
            assertTrue(a.policyText().contains("\"date\" : \"" + proposed + "\"") || a.policyText().contains("\"date\": \"" + proposed
                    + "\""), a.policyText());
        }

        @Test
        void bmcsWithoutACommonDateAreExplainedAndNoDateIsProposed() throws Exception {
            bmc = PastBmc.start(keystore);
            try (PastBmc ilo = PastBmc.start(older)) {
                FakePveNode a = node(dir.resolve("a"));
                try (Pty t = pty(a, "enable", "105")) {
                    t.answer("[done]: ", "127.0.0.1:" + bmc.port());
                    t.answer("[done]: ", "127.0.0.1:" + ilo.port());
                    t.answer("[done]: ", "");
                    String shown = t.expect("[]: ");
                    assertTrue(shown.contains("no single date works: 127.0.0.1:" + ilo.port() + " is valid only until"
                            + " 2016-01-01T00:00:00Z, 127.0.0.1:" + bmc.port() + " only from 2019-01-01T00:00:00Z"), shown);
                    assertFalse(shown.contains("proposed date"), shown);
                    t.send("");
                    t.expect("a date (or an offset) is needed");
                    t.answer("[]: ", "2020-06-01");
                    t.raw(new byte[] {4}); // ^D at the mode question: end of input
                    String end = t.expect("nothing was changed");
                    assertTrue(end.contains("no answer"), end);
                    assertEquals(1, t.exit(), t.all());
                }
                assertEquals(List.of(), a.writes());
            }
        }

        @Test
        void noAtTheLastQuestionChangesNothing() throws Exception {
            FakePveNode a = node(dir.resolve("a"));
            try (Pty t = pty(a, "enable", "105")) {
                t.answer("[done]: ", "");
                t.answer("[]: ", "2021-03-01");
                t.answer("[fixed]: ", "continue");
                t.answer("? [Y/n] ", "n");
                t.answer("[warn]: ", "abort");
                String preview = t.expect("Apply these changes to VM 105? [y/N] ");
                assertTrue(preview.contains("isolation (--isolate): not offered, no BMC was named"), preview);
                t.send("n");
                String end = t.expect("the same without questions: ");
                assertTrue(end.contains("not confirmed; nothing was changed"), end);
                String command = t.expect("\n").strip();
                assertEquals("time-shift enable 105 --date 2021-03-01T00:00:00Z --mode continue --keep-time-sync --on-error abort"
                        + " --yes", command);
                assertEquals(1, t.exit(), t.all());
            }
            assertEquals(List.of(), a.writes());
            assertFalse(Files.exists(a.policyFile()));
        }

        @Test
        void ctrlCInTheMiddleChangesNothing() throws Exception {
            FakePveNode a = node(dir.resolve("a"));
            try (Pty t = pty(a, "enable", "105")) {
                t.answer("[done]: ", "");
                t.expect("]: ");
                t.raw(new byte[] {3}); // ^C: the terminal sends SIGINT
                assertEquals(130, t.exit(), t.all());
            }
            assertEquals(List.of(), a.writes());
            assertFalse(Files.exists(a.policyFile()));
        }
    }

    @Nested
    class WithoutATerminal {
        @Test
        void exitsTwoNamingTheMissingFlag() throws Exception {
            FakePveNode a = node(dir.resolve("a"));
            Result r = noTerminal(a, List.of("enable", "105"));
            assertEquals(2, r.exit(), r.out() + r.err());
            assertTrue(r.err().startsWith("time-shift: give --date <when>"), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertEquals(List.of(), a.writes());
        }
    }

    /** A process on a pty: what it printed (echo included), and answers typed into it. */
    static final class Pty implements AutoCloseable {
        private final Process process;
        private final OutputStream in;
        private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
        private int mark;

        Pty(Process process) {
            this.process = process;
            this.in = process.getOutputStream();
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[4096];
                try (InputStream s = process.getInputStream()) {
                    int n;
                    while ((n = s.read(buf)) > 0) {
                        synchronized (seen) {
                            seen.write(buf, 0, n);
                            seen.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // process gone
                }
            }, "pty-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits (at most 60 s) until {@code text} appears after what was consumed; returns everything up to it. */
        String expect(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            synchronized (seen) {
                while (true) {
                    String s = seen.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
                    int at = s.indexOf(text, mark);
                    if (at >= 0) {
                        String got = s.substring(mark, at + text.length());
                        mark = at + text.length();
                        return got;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !process.isAlive() && s.indexOf(text, mark) < 0 && waitedForOutput()) {
                        throw new AssertionError("no '" + text + "' in:\n" + s.substring(Math.min(mark, s.length())));
                    }
                    seen.wait(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(left))));
                }
            }
        }

        private int deadChecks;

        private boolean waitedForOutput() {
            return ++deadChecks > 10;
        }

        void send(String line) throws IOException {
            in.write((line + "\r").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        void raw(byte[] b) throws IOException {
            in.write(b);
            in.flush();
        }

        void answer(String prompt, String line) throws Exception {
            expect(prompt);
            send(line);
        }

        int exit() throws InterruptedException {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "still running:\n" + all());
            return process.exitValue();
        }

        String all() {
            synchronized (seen) {
                return seen.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** A TLS server on loopback presenting the past-only certificate; completes handshakes and closes. */
    static final class PastBmc implements AutoCloseable {
        private final SSLServerSocket server;

        private PastBmc(SSLServerSocket server) {
            this.server = server;
        }

        static PastBmc start(Path keystore) throws Exception {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "changeit".toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress());
            s.setEnabledProtocols(new String[] {"TLSv1.2", "TLSv1.3"});
            PastBmc bmc = new PastBmc(s);
            Thread t = new Thread(() -> {
                while (!s.isClosed()) {
                    try {
                        Socket c = s.accept();
                        Thread h = new Thread(() -> {
                            try (SSLSocket ssl = (SSLSocket) c) {
                                ssl.setSoTimeout(5000);
                                ssl.startHandshake();
                            } catch (IOException e) {
                                // probes hang up mid-handshake on purpose
                            }
                        });
                        h.setDaemon(true);
                        h.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "past-bmc");
            t.setDaemon(true);
            t.start();
            return bmc;
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}

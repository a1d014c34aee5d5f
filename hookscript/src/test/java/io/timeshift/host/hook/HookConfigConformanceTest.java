package io.timeshift.host.hook;

import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.TempHost;
import io.timeshift.pve.config.VmConfig;
import io.timeshift.pve.config.VmConfigParser;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Config shapes end to end through the hook: each config of pve-vm's {@code pve-config-shapes} corpus
 * (and, with {@code -Dtimeshift.upstream.qemuServerTests=<qemu-server>/src/test}, every upstream
 * {@code *.conf}) is written as {@code nodes/<node>/qemu-server/<vmid>.conf} of a temp PVE tree (with
 * {@code qemu-server} linking to it, as pmxcfs does), a policy with {@code onError: abort} is set, and
 * {@code time-shift hook <vmid> pre-start} runs through the lean entry point. Whatever the file holds,
 * the phase does what our reader says: agent enabled, exit 0 and the run is recorded; agent disabled,
 * the documented refusal (exit 3, one line). Config content never fails the phase otherwise.
 */
class HookConfigConformanceTest {
    private static final int VM = 8006;
    private static final String NODE = "pve1";
    /** pve-api's committed corpus; Maven runs each module's tests from the module's directory. */
    private static final Path SHAPES = Path.of("..", "pve-vm", "src", "test", "resources", "pve-config-shapes");

    @TempDir
    Path dir;

    @Test
    void theCorpusIsThere() throws IOException {
        try (Stream<Path> s = Files.list(SHAPES)) {
            assertTrue(s.filter(p -> p.toString().endsWith(".conf")).count() >= 35, "corpus at " + SHAPES.toAbsolutePath());
        }
    }

    @TestFactory
    Stream<DynamicNode> everyCorpusConfigStartsOrIsRefusedAsOurReaderSays() throws IOException {
        try (Stream<Path> s = Files.list(SHAPES)) {
            return s.filter(p -> p.toString().endsWith(".conf")).sorted().toList().stream()
                    .map(conf -> DynamicTest.dynamicTest(conf.getFileName().toString(), () -> preStart(conf)));
        }
    }

    @TestFactory
    Stream<DynamicNode> everyUpstreamConfigToo() throws IOException {
        String root = System.getProperty("timeshift.upstream.qemuServerTests");
        if (root == null || root.isEmpty()) {
            return Stream.empty(); // the committed corpus above runs either way
        }
        List<DynamicNode> tests = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Path.of(root))) {
            for (Path conf : s.filter(p -> p.toString().endsWith(".conf") && Files.isRegularFile(p)).sorted().toList()) {
                tests.add(DynamicTest.dynamicTest(Path.of(root).relativize(conf).toString(), () -> preStart(conf)));
            }
        }
        assertTrue(tests.size() > 100, "upstream configs found under " + root + ": " + tests.size());
        return tests.stream();
    }

    private void preStart(Path conf) throws IOException {
        byte[] raw = Files.readAllBytes(conf);
        TempHost host = new TempHost(Files.createTempDirectory(dir, "host"));
        Path qemuServer = host.paths().pveDir().resolve("qemu-server");
        Path nodeDir = host.paths().pveDir().resolve("nodes").resolve(NODE).resolve("qemu-server");
        Files.createDirectories(nodeDir);
        Files.delete(qemuServer);
        Files.createSymbolicLink(qemuServer, Path.of("nodes", NODE, "qemu-server"));
        Files.write(nodeDir.resolve(VM + ".conf"), raw);
        host.policy(PolicyJson.fixed(VM, "2021-03-01T12:00:00Z").with("onError", "abort"));
        boolean agent = VmConfigParser.parse(VM, raw, "x").agentEnabled();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = HookMain.run(new String[]{"hook", Integer.toString(VM), "pre-start"}, env(host),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        List<String> errLines = err.toString(StandardCharsets.UTF_8).lines().toList();
        if (agent) {
            assertEquals(0, exit, errLines.toString());
            assertEquals(List.of(), errLines);
            assertTrue(Files.exists(host.paths().stateFile(VM)), "state written");
            assertEquals("fixed", host.stateObject(VM, "run").get("reason"));
        } else {
            assertEquals(3, exit, errLines.toString());
            assertEquals(1, errLines.size(), errLines.toString());
            assertTrue(errLines.get(0).contains("the QEMU guest agent is not enabled in the VM config"), errLines.get(0));
            assertTrue(errLines.get(0).endsWith("(onError=abort: start refused)"), errLines.get(0));
            assertFalse(Files.exists(host.paths().stateFile(VM)), "no state for a refused start");
        }
    }

    private static Map<String, String> env(TempHost host) {
        return Map.of("TIME_SHIFT_PVE_DIR", host.paths().pveDir().toString(),
                "TIME_SHIFT_RUN_DIR", host.paths().runDir().toString(),
                "TIME_SHIFT_STATE_DIR", host.paths().stateDir().toString(),
                "TIME_SHIFT_LOG_DIR", host.paths().logDir().toString(),
                "TIME_SHIFT_CONFIG", host.paths().configFile().toString(),
                "PVE_MIGRATED_FROM", "");
    }

    /** A sanity check of the check itself: VmConfig built by hand says what the file says. */
    @Test
    void agentReadingOfTheDefaultTestConfigIsOn() {
        VmConfig c = VmConfigParser.parse(VM, TempHost.CONF, "x");
        assertTrue(c.agentEnabled());
    }
}

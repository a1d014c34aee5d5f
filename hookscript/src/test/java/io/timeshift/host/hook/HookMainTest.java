package io.timeshift.host.hook;

import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.TempHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lean entry point Proxmox runs: argument checks and the no-policy fast path (nothing here spawns or dials). */
class HookMainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return HookMain.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Map<String, String> env(TempHost host) {
        return Map.of("TIME_SHIFT_PVE_DIR", host.paths().pveDir().toString(),
                "TIME_SHIFT_RUN_DIR", host.paths().runDir().toString(),
                "TIME_SHIFT_STATE_DIR", host.paths().stateDir().toString(),
                "TIME_SHIFT_LOG_DIR", host.paths().logDir().toString(),
                "TIME_SHIFT_CONFIG", host.paths().configFile().toString(),
                "PVE_MIGRATED_FROM", "");
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void nonNumericVmidIsExitTwoWithOneLine() {
        assertEquals(2, run(env(new TempHost(dir)), "hook", "abc", "pre-start"));

        assertEquals(1, errLines().size(), errLines().toString());
        assertTrue(errLines().get(0).contains("'abc' is not a VMID (100-999999999)"), errLines().get(0));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void wrongArgumentCountIsExitTwoWithUsage() {
        assertEquals(2, run(env(new TempHost(dir)), "hook", "105"));

        assertEquals(1, errLines().size(), errLines().toString());
        assertTrue(errLines().get(0).startsWith("usage: time-shift hook <vmid> <phase>"), errLines().get(0));
    }

    @Test
    void vmWithoutPolicyExitsZeroSilently() {
        assertEquals(0, run(env(new TempHost(dir)), "hook", "105", "pre-start"));

        assertEquals("", out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unknownPhaseOfAManagedVmIsOneWarning() {
        TempHost host = new TempHost(dir).confWith(105).policy(PolicyJson.fixed(105, "2021-03-01"));

        assertEquals(0, run(env(host), "hook", "105", "post-migrate"));

        assertEquals(1, errLines().size(), errLines().toString());
    }

    @Test
    void invalidNodeConfigFallsBackToDefaultsAndStillStarts() {
        TempHost host = new TempHost(dir).confWith(105).policy(PolicyJson.fixed(105, "2021-03-01"));
        Path cfg = host.paths().configFile();
        try {
            java.nio.file.Files.createDirectories(cfg.getParent());
            java.nio.file.Files.writeString(cfg, "{\"agentWiat\":\"PT1M\"}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        assertEquals(0, run(env(host), "hook", "105", "pre-start"));

        assertEquals(1, errLines().size(), errLines().toString());
        assertTrue(errLines().get(0).contains("agentWiat") && errLines().get(0).contains("built-in defaults"), errLines().get(0));
    }
}

package io.timeshift.host.apply;

import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.io.Json;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.error.PveErrorClassifier;
import io.timeshift.pve.api.retry.RetryConfig;
import io.timeshift.pve.api.retry.RetryPresets;
import io.timeshift.pve.api.retry.RetrySettings;
import io.timeshift.pve.api.transport.Method;
import io.timeshift.pve.api.transport.PveResponse;
import io.timeshift.pve.api.transport.PveTransport;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.TimeShiftException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import io.timeshift.host.io.PrintStreamLines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The post-stop re-arm: one {@code PUT .../config} with {@code startdate} through the typed client,
 * retried only while PVE could not take the VM's config lock ({@code can't lock file ... - got
 * timeout}); a VM locked for a backup named as such; nothing else retried, in particular not a
 * message that merely contains "lock" ("clock", "block").
 */
class RearmTest {
    static final int VM = 105;
    static final String DATE = "2021-03-01T13:30:00";
    /** pve-common lock_file_full's die, as PveshTransport hands it on (its progress line dropped, see PveshTransportTest). */
    static final String LOCK_TIMEOUT = "can't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout";
    static final RetrySettings FAST = RetryPresets.configLockSettings(Duration.ofMinutes(5)).withoutDelays().withMaxAttempts(5);

    /** pvesh as the client sees it: each PUT answers with the next scripted stderr (a plain die, status 0), null = success. */
    static final class ScriptedPvesh implements PveTransport {
        final Deque<String> answers = new ArrayDeque<>();
        final List<String> calls = new ArrayList<>();
        String otherwise;

        ScriptedPvesh(String otherwise, String... first) {
            this.otherwise = otherwise;
            answers.addAll(List.of(first));
        }

        @Override
        public PveResponse call(Method method, String path, Map<String, ?> params) {
            calls.add(method + " " + path + " " + params);
            String stderr = answers.isEmpty() ? otherwise : answers.poll();
            if (stderr != null) {
                throw PveErrorClassifier.classify("pvesh set " + path, 0, stderr, Map.of());
            }
            return new PveResponse(null, OptionalLong.empty());
        }

        @Override
        public void close() {
        }
    }

    @TempDir
    Path dir;

    Path audit;
    Map<String, String> env;
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-10T08:00:00Z"));

    @BeforeEach
    void node() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path pvesh = Files.writeString(bin.resolve("pvesh"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(pvesh, PosixFilePermissions.fromString("rwxr-xr-x"));
        env = Map.of("PATH", bin.toString());
        audit = dir.resolve("log/audit.log");
    }

    private void rearm(ScriptedPvesh pvesh) {
        new Rearm(env, () -> PveClient.over(pvesh, RetryConfig.noDelays()), "pve1", audit, clock,
                new PrintStreamLines(new PrintStream(logBytes, true, StandardCharsets.UTF_8)), FAST).rearm(VM, DATE);
    }

    private String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> lastAuditDetails() throws IOException {
        List<String> lines = new AuditLog(audit, clock).readLines();
        Map<String, Object> entry = Json.parseObject(lines.get(lines.size() - 1), "audit");
        assertEquals("rearm", entry.get("action"));
        assertEquals("hook", entry.get("actor"));
        return (Map<String, Object>) entry.get("details");
    }

    @Test
    void setsStartdateWithOnePutToThisNodesVmConfig() throws IOException {
        ScriptedPvesh pvesh = new ScriptedPvesh(null);

        rearm(pvesh);

        assertEquals(List.of("PUT /nodes/pve1/qemu/105/config {startdate=" + DATE + "}"), pvesh.calls);
        assertEquals("2026-01-10T08:00:00Z VM 105: startdate for the next cold start set to " + DATE + "\n", log());
        assertEquals(Map.of("startdate", DATE, "result", "ok"), new LinkedHashMap<>(lastAuditDetails()));
    }

    @Nested
    class WhileTheStopTaskHoldsTheLock {
        @Test
        void retriesUntilTheLockIsFree() throws IOException {
            ScriptedPvesh pvesh = new ScriptedPvesh(null, LOCK_TIMEOUT, LOCK_TIMEOUT);

            rearm(pvesh);

            assertEquals(3, pvesh.calls.size());
            assertEquals("ok", lastAuditDetails().get("result"));
        }

        @Test
        void givesUpAfterTheBoundedAttemptsWithPvesOwnLine() throws IOException {
            ScriptedPvesh pvesh = new ScriptedPvesh(LOCK_TIMEOUT);

            EnvironmentException e = assertThrows(EnvironmentException.class, () -> rearm(pvesh));

            assertEquals(5, pvesh.calls.size());
            String line = "pvesh set /nodes/pve1/qemu/105/config --startdate " + DATE
                    + " failed: can't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout";
            assertEquals(line, e.getMessage());
            assertEquals(TimeShiftException.ENVIRONMENT, e.exitCode());
            assertEquals("2026-01-10T08:00:00Z VM 105: " + line + "\n", log());
            assertEquals("failed: " + line, lastAuditDetails().get("result"));
        }
    }

    @Test
    void aVmLockedForABackupIsNotWaitedForAndSaysSo() throws IOException {
        ScriptedPvesh pvesh = new ScriptedPvesh("VM is locked (backup)");

        EnvironmentException e = assertThrows(EnvironmentException.class, () -> rearm(pvesh));

        assertEquals(1, pvesh.calls.size());
        assertEquals("VM 105 is locked for a backup; startdate not changed: VM is locked (backup)", e.getMessage());
        assertEquals("failed: " + e.getMessage(), lastAuditDetails().get("result"));
    }

    @Test
    void anotherLockIsAFailureNamingIt() {
        ScriptedPvesh pvesh = new ScriptedPvesh("VM is locked (migrate)");

        EnvironmentException e = assertThrows(EnvironmentException.class, () -> rearm(pvesh));

        assertEquals(1, pvesh.calls.size());
        assertEquals("pvesh set /nodes/pve1/qemu/105/config --startdate " + DATE + " failed: VM is locked (migrate)", e.getMessage());
    }

    /** The bug this replaced: {@code e.getMessage().contains("lock")} also matched "clock" and "block". */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "unable to read hardware clock",
            "clock skew detected",
            "block job is running on drive-scsi0",
            "unable to open block device",
            "lock"})
    void aMessageThatMerelyContainsLockIsNotRetried(String message) {
        ScriptedPvesh pvesh = new ScriptedPvesh(message);

        EnvironmentException e = assertThrows(EnvironmentException.class, () -> rearm(pvesh));

        assertEquals(1, pvesh.calls.size(), pvesh.calls.toString());
        assertTrue(e.getMessage().endsWith(" failed: " + message), e.getMessage());
    }

    /** jqwik runs outside JUnit Jupiter's lifecycle (no @TempDir, no @BeforeEach): its own node, made once. */
    private static Path propertyNode;

    private static synchronized Path propertyNode() throws IOException {
        if (propertyNode == null) {
            propertyNode = Files.createTempDirectory("rearm-property");
            Path bin = Files.createDirectories(propertyNode.resolve("bin"));
            Path pvesh = Files.writeString(bin.resolve("pvesh"), "#!/bin/sh\nexit 0\n");
            Files.setPosixFilePermissions(pvesh, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return propertyNode;
    }

    @Property(tries = 200)
    void onlyPvesLockTimeoutTextIsRetried(@ForAll("aroundLock") String message) throws IOException {
        Path node = propertyNode();
        ScriptedPvesh pvesh = new ScriptedPvesh(message);
        Rearm r = new Rearm(Map.of("PATH", node.resolve("bin").toString()), () -> PveClient.over(pvesh, RetryConfig.noDelays()),
                "pve1", node.resolve("audit.log"), clock, io.timeshift.host.io.LogLines.NONE, FAST);

        EnvironmentException e = assertThrows(EnvironmentException.class, () -> r.rearm(VM, DATE));

        boolean pvesLockTimeout = message.contains("can't lock file '") && message.contains("' - got timeout");
        assertEquals(pvesLockTimeout ? 5 : 1, pvesh.calls.size(), message);
        assertTrue(e.getMessage().startsWith("pvesh set /nodes/pve1/qemu/105/config --startdate " + DATE + " failed: "), e.getMessage());
    }

    @Provide
    Arbitrary<String> aroundLock() {
        Arbitrary<String> noise = Arbitraries.strings().withChars("abcklo ()'-/").ofMaxLength(12);
        return Arbitraries.oneOf(
                noise.map(s -> s + "lock" + s),
                noise.map(s -> "c" + s + "lock"),
                noise.map(s -> "b" + "lock" + s),
                Arbitraries.of(LOCK_TIMEOUT, "can't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout\n"));
    }

    @Test
    void offANodeWithoutPveshTheRearmIsSkippedAndAudited() throws IOException {
        env = Map.of("PATH", dir.resolve("empty").toString());
        ScriptedPvesh pvesh = new ScriptedPvesh(null);

        EnvironmentException e = assertThrows(EnvironmentException.class, () -> rearm(pvesh));

        assertEquals("cannot set startdate of VM 105: pvesh not found on PATH", e.getMessage());
        assertEquals(List.of(), pvesh.calls);
        assertEquals("skipped: pvesh not found on PATH (not a Proxmox VE node?)", lastAuditDetails().get("result"));
    }
}

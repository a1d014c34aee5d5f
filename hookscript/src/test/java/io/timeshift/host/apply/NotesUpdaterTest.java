package io.timeshift.host.apply;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.io.PrintStreamLines;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.pve.api.retry.RetryConfig;
import io.timeshift.pve.api.transport.Method;
import io.timeshift.pve.api.transport.PveResponse;
import io.timeshift.pve.api.transport.PveTransport;
import io.timeshift.pve.api.error.PveErrorClassifier;
import io.timeshift.pve.api.retry.RetryPresets;
import io.timeshift.pve.api.retry.RetrySettings;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NotesUpdaterTest {
    /** An ok apply that finished at 10:31:42.123 with the guest 4.2 ms off. */
    private static final ApplyRecord OK_APPLY = ApplyRecord.started(Instant.parse("2026-11-25T10:31:40Z"), 1)
            .withReading(new ApplyRecord.Reading(Instant.parse("2021-03-01T12:00:00Z"), 4.2))
            .withOutcome(new ApplyRecord.Outcome(Instant.parse("2026-11-25T10:31:42.123Z"), ApplyRecord.Result.OK, "set"));
    @TempDir
    Path tmp;

    /** A PVE config endpoint in memory: GET returns the config, PUT records what was sent. */
    static final class FakeConfig implements PveTransport {
        String description;
        final List<String> calls = new ArrayList<>();
        final List<Map<String, ?>> puts = new ArrayList<>();

        FakeConfig(String description) {
            this.description = description;
        }

        @Override
        public PveResponse call(Method method, String path, Map<String, ?> params) {
            calls.add(method + " " + path);
            if (method == Method.GET) {
                ObjectNode n = PveJson.MAPPER.createObjectNode();
                n.put("digest", "0123456789abcdef0123456789abcdef01234567");
                n.put("name", "jump");
                n.put("description", description);
                return new PveResponse(n, OptionalLong.empty());
            }
            puts.add(new LinkedHashMap<>(params));
            return new PveResponse(null, OptionalLong.empty());
        }

        @Override
        public void close() {
        }
    }

    @Test
    void replacesOnlyOurLineWithTheLastApplyAndTheDigest() throws Exception {
        Files.createDirectories(tmp.resolve("pve"));
        Files.createSymbolicLink(tmp.resolve("pve/local"), Path.of("nodes/pve1"));
        HostPaths paths = HostPaths.fromEnv(Map.of("TIME_SHIFT_PVE_DIR", tmp.resolve("pve").toString()));
        FakeConfig pve = new FakeConfig("Jump VM for the iDRACs\ntime-shift: fixed 2021-03-01T12:00:00Z - last apply - - drift -\n");
        Policy p = new Policy(105, Mode.FIXED, Instant.parse("2021-03-01T12:00:00Z"), null, null, false, false,
                List.of(), null, null);
        ApplyRecord last = OK_APPLY;

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        new NotesUpdater(paths, () -> PveClient.over(pve, RetryConfig.none()), new PrintStreamLines(new PrintStream(log, true)))
                .applied(105, p, last);

        assertEquals(List.of("GET /nodes/pve1/qemu/105/config", "PUT /nodes/pve1/qemu/105/config"), pve.calls, log.toString());
        Map<String, ?> put = pve.puts.get(0);
        assertEquals("0123456789abcdef0123456789abcdef01234567", put.get("digest"));
        String d = String.valueOf(put.get("description"));
        assertTrue(d.startsWith("Jump VM for the iDRACs\n"), d);
        assertTrue(d.contains("time-shift: fixed 2021-03-01T12:00:00Z"), d);
        assertTrue(d.contains("last apply ok 2026-11-25T10:31Z"), d);
        assertTrue(d.contains("drift 4 ms"), d);
        assertEquals(1, d.split("time-shift: ", -1).length - 1, d);
    }

    @Test
    void notesWithoutRoomForTheLineAreLeftAsTheyAreAndOneLineSaysSo() throws Exception {
        Files.createDirectories(tmp.resolve("pve"));
        Files.createSymbolicLink(tmp.resolve("pve/local"), Path.of("nodes/pve1"));
        HostPaths paths = HostPaths.fromEnv(Map.of("TIME_SHIFT_PVE_DIR", tmp.resolve("pve").toString()));
        FakeConfig pve = new FakeConfig("n".repeat(8150));
        Policy p = new Policy(105, Mode.FIXED, Instant.parse("2021-03-01T12:00:00Z"), null, null, false, false,
                List.of(), null, null);

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        new NotesUpdater(paths, () -> PveClient.over(pve, RetryConfig.none()), new PrintStreamLines(new PrintStream(log, true)))
                .applied(105, p, OK_APPLY);

        assertEquals(List.of("GET /nodes/pve1/qemu/105/config"), pve.calls, "no PUT");
        assertEquals("VM 105: Notes left unchanged without the time-shift line: with it they would have 8236 characters,"
                + " Proxmox allows 8192; shorten the Notes to make room\n", log.toString());
    }

    /** The read-modify-write under RetryPresets.configRace: only races that wrote nothing are tried again, each reading afresh. */
    @Nested
    class Retries {
        static final RetrySettings FAST = RetryPresets.configRaceSettings().withoutDelays();

        /** The config endpoint, whose PUTs fail with the next scripted PVE message (null: success). */
        final class Racing implements PveTransport {
            final FakeConfig config = new FakeConfig("Jump VM\n");
            final java.util.Deque<String> putFailures = new java.util.ArrayDeque<>();

            Racing(String... failures) {
                putFailures.addAll(List.of(failures));
            }

            @Override
            public PveResponse call(Method method, String path, Map<String, ?> params) {
                if (method == Method.PUT && !putFailures.isEmpty()) {
                    config.calls.add(method + " " + path);
                    throw PveErrorClassifier.classify("PUT " + path, 500, putFailures.poll(), Map.of());
                }
                return config.call(method, path, params);
            }

            @Override
            public void close() {
            }
        }

        private String apply(Racing pve) throws Exception {
            Files.createDirectories(tmp.resolve("pve"));
            Files.createSymbolicLink(tmp.resolve("pve/local"), Path.of("nodes/pve1"));
            HostPaths paths = HostPaths.fromEnv(Map.of("TIME_SHIFT_PVE_DIR", tmp.resolve("pve").toString()));
            Policy p = new Policy(105, Mode.FIXED, Instant.parse("2021-03-01T12:00:00Z"), null, null, false, false,
                    List.of(), null, null);
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            new NotesUpdater(paths, () -> PveClient.over(pve, RetryConfig.none()), new PrintStreamLines(new PrintStream(log, true)), FAST)
                    .applied(105, p, OK_APPLY);
            return log.toString();
        }

        @Test
        void aChangedDigestOrATakenLockIsReadAgainAndWritten() throws Exception {
            Racing pve = new Racing("checksum mismatch (file change by other user?)",
                    "can't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout");

            assertEquals("", apply(pve));

            assertEquals(List.of("GET /nodes/pve1/qemu/105/config", "PUT /nodes/pve1/qemu/105/config",
                    "GET /nodes/pve1/qemu/105/config", "PUT /nodes/pve1/qemu/105/config",
                    "GET /nodes/pve1/qemu/105/config", "PUT /nodes/pve1/qemu/105/config"), pve.config.calls);
            assertEquals(1, pve.config.puts.size(), "written once, by the third attempt");
        }

        @Test
        void threeLostRacesLeaveTheNotesAndSayWhyInOneLine() throws Exception {
            String mismatch = "checksum mismatch (file change by other user?)";
            Racing pve = new Racing(mismatch, mismatch, mismatch, mismatch);

            String log = apply(pve);

            assertEquals(6, pve.config.calls.size());
            assertTrue(log.startsWith("VM 105: Notes line not updated: PUT /nodes/pve1/qemu/105/config: " + mismatch), log);
            assertEquals(1, log.split("\n").length, log);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"VM is locked (backup)", "unable to read hardware clock", "block job running", "VM 105 not running"})
        void anythingElseIsOneAttemptAndOneLine(String message) throws Exception {
            Racing pve = new Racing(message);

            String log = apply(pve);

            assertEquals(List.of("GET /nodes/pve1/qemu/105/config", "PUT /nodes/pve1/qemu/105/config"), pve.config.calls);
            assertTrue(log.startsWith("VM 105: Notes line not updated: PUT /nodes/pve1/qemu/105/config: "), log);
            assertTrue(log.contains(message), log);
            assertEquals(1, log.split("\n").length, log);
        }
    }
}

package io.timeshift.host.state;

import io.timeshift.host.testing.TempHost;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateStoreTest {
    @TempDir
    Path dir;

    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");

    @Nested
    class Update {
        @Test
        void missingStateReadsEmpty() {
            TempHost host = new TempHost(dir);

            VmState s = new StateStore(host.paths()).read(105);

            assertEquals(Map.of("vmid", 105), s.toJson());
            assertNull(s.run());
            assertNull(s.lastStop());
        }

        @Test
        void writesTheChangeAndKeepsFieldsItDoesNotKnow() throws Exception {
            TempHost host = new TempHost(dir).stateText(105, "{\"vmid\":105,\"futureField\":{\"x\":1}}");
            StateStore store = new StateStore(host.paths());

            store.update(105, s -> s.phase("pre-start", T0));

            Map<String, Object> json = host.state(105);
            assertEquals("pre-start", json.get("lastPhase"));
            assertEquals("2026-01-10T08:00:00Z", json.get("lastPhaseAt"));
            assertEquals(1, ((Number) ((Map<?, ?>) json.get("futureField")).get("x")).intValue());
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(host.paths().stateFile(105))));
        }

        @Test
        void roundTripsRunAndStop() {
            StateStore store = new StateStore(new TempHost(dir).paths());
            VmState.Run run = new VmState.Run(T0.toString(), T0, -94_608_000_000_000_000L, "fixed", true, "fixed 2021-03-01T12:00:00Z");
            VmState.Stop stop = new VmState.Stop(T0.plusSeconds(60), Instant.parse("2021-03-01T12:01:00Z"), "agent", T0.toString());

            store.update(105, s -> {
                s.run(run);
                s.lastStop(stop);
                s.timeSyncDisabled(List.of("chrony.service"));
            });

            VmState back = store.read(105);
            assertEquals(run, back.run());
            assertEquals(stop, back.lastStop());
            assertEquals(List.of("chrony.service"), back.timeSyncDisabled());
        }

        @Test
        void concurrentUpdatesInOneProcessAreNotLost() throws Exception {
            StateStore store = new StateStore(new TempHost(dir).paths());
            ExecutorService pool = Executors.newFixedThreadPool(2);
            CountDownLatch go = new CountDownLatch(1);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    fs.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < 100; i++) {
                            store.update(105, s -> {
                                Object n = s.toJson().getOrDefault("counter", 0);
                                s.toJson().put("counter", ((Number) n).intValue() + 1);
                            });
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : fs) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            assertEquals(200, ((Number) store.read(105).toJson().get("counter")).intValue());
        }
    }

    @Nested
    class Corrupt {
        private final java.time.Clock clock = java.time.Clock.fixed(Instant.parse("2026-12-02T01:55:00.123Z"), java.time.ZoneOffset.UTC);

        private StateStore healing(TempHost host, java.io.ByteArrayOutputStream err) {
            return new StateStore(host.paths(), clock, new io.timeshift.host.io.PrintStreamLines(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8)), "hook");
        }

        @Test
        void readersSeeAnEmptyStateAndOneLineSayingWhyAndMoveNothing() throws Exception {
            TempHost host = new TempHost(dir).stateText(105, "{\"vmid\":105,\"run\":{");

            StateStore.Loaded l = new StateStore(host.paths()).inspect(105);

            assertEquals(Map.of("vmid", 105), l.state().toJson());
            assertTrue(l.problem().startsWith(host.paths().stateFile(105) + ": not valid JSON ("), l.problem());
            assertEquals("{\"vmid\":105,\"run\":{", Files.readString(host.paths().stateFile(105)), "a reader moves nothing");
        }

        @Test
        void updateMovesTheDamagedFileAsideSaysSoOnceAndStartsOver() throws Exception {
            TempHost host = new TempHost(dir).stateText(105, "[]");
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();

            healing(host, err).update(105, s -> s.phase("post-stop", T0));

            assertEquals("post-stop", host.state(105).get("lastPhase"));
            Path bad = host.paths().stateDir().resolve("105.json.bad-20261202T015500Z");
            assertEquals("[]", Files.readString(bad));
            assertEquals("time-shift: VM 105: damaged state " + host.paths().stateFile(105) + ": expected a JSON object; moved to "
                    + "105.json.bad-20261202T015500Z; starting over as on a first start\n", err.toString(java.nio.charset.StandardCharsets.UTF_8));
            Map<String, Object> entry = host.auditEntries().get(0);
            assertEquals("state-reset", entry.get("action"));
            assertEquals("hook", entry.get("actor"));
            assertEquals(bad.toString(), ((Map<?, ?>) entry.get("details")).get("movedTo"));
        }

        @Test
        void invalidUtf8IsDamageNotAnEnvironmentError() throws Exception {
            TempHost host = new TempHost(dir);
            Files.createDirectories(host.paths().stateDir());
            Files.write(host.paths().stateFile(105), new byte[] {'{', '"', 'x', '"', ':', '"', (byte) 0xff, '"', '}'});

            assertTrue(new StateStore(host.paths()).inspect(105).problem().endsWith(": not valid UTF-8"));
            healing(host, new java.io.ByteArrayOutputStream()).update(105, s -> s.phase("pre-stop", T0));
            assertEquals("pre-stop", host.state(105).get("lastPhase"));
        }

        @Test
        void aNumberBeyondADoubleIsDamage() {
            TempHost host = new TempHost(dir).stateText(105, "{\"vmid\":105,\"lastApply\":{\"errorMs\":1e400}}");

            assertTrue(new StateStore(host.paths()).inspect(105).problem().contains("number out of range"));
        }

        @Test
        void aFieldOfTheWrongTypeIsDamageNamingTheField() {
            TempHost host = new TempHost(dir).stateText(105, "{\"vmid\":105,\"lastApply\":{\"startedAt\":42}}");

            assertTrue(new StateStore(host.paths()).inspect(105).problem().endsWith(
                    ": field 'lastApply.startedAt': not an instant within 1970-01-01T00:00:00Z..2069-12-31T23:59:59Z (like 2021-03-01T12:00:00Z)"));
        }

        @Test
        void aGuestTimeAtStopOfMinusTwoToTheSixtyThirdIsDamageNotAnOverflowLater() {
            TempHost host = new TempHost(dir).stateText(105, "{\"vmid\":105,\"lastStop\":{\"hostTime\":\"2026-01-10T08:00:00Z\","
                    + "\"guestTime\":\"1677-09-21T00:12:43.145224192Z\",\"source\":\"agent\"}}");

            StateStore.Loaded l = new StateStore(host.paths()).inspect(105);
            assertTrue(l.problem().contains("field 'lastStop.guestTime'"), l.problem());
            assertNull(l.state().lastStop());
        }

        @Test
        void anOffsetBeyondOneHundredYearsIsDamage() {
            TempHost host = new TempHost(dir).stateText(105,
                    "{\"vmid\":105,\"run\":{\"startedAt\":\"2026-01-10T08:00:00Z\",\"offsetNs\":9223372036854775807}}");

            assertTrue(new StateStore(host.paths()).inspect(105).problem().contains("field 'run.offsetNs'"));
        }

        @Test
        void aRunWithWrongFieldTypesReadsAsNoRun() {
            // a hand-edited file that is valid JSON: must not break the next VM start with a ClassCastException
            TempHost host = new TempHost(dir).stateText(105,
                    "{\"vmid\":105,\"run\":{\"startedAt\":\"yesterday\",\"offsetNs\":\"-3y\"},"
                            + "\"lastStop\":{\"hostTime\":1,\"guestTime\":\"x\"},\"lastApply\":[]}");

            VmState s = new StateStore(host.paths()).read(105);

            assertNull(s.run());
            assertNull(s.lastStop());
            assertNull(s.lastApply());
        }
    }

    @Test
    void humanOffsetIsReadable() {
        assertEquals("-1095d 0h 0m 0.000s", VmState.human(-94_608_000_000_000_000L));
        assertEquals("+0d 1h 2m 3.456s", VmState.human(3_723_456_000_000L));
        assertFalse(VmState.human(0).isEmpty());
    }
}

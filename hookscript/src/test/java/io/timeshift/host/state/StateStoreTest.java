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
        @Test
        void corruptFileStartsEmptyAndKeepsACorruptCopy() throws Exception {
            TempHost host = new TempHost(dir).stateText(105, "{\"vmid\":105,\"run\":{");
            StateStore store = new StateStore(host.paths());

            VmState s = store.read(105);

            assertEquals(Map.of("vmid", 105), s.toJson());
            Path copy = host.paths().stateDir().resolve("105.json.corrupt");
            assertEquals("{\"vmid\":105,\"run\":{", Files.readString(copy));
        }

        @Test
        void updateOverACorruptFileWritesAFreshState() throws Exception {
            TempHost host = new TempHost(dir).stateText(105, "[]");

            new StateStore(host.paths()).update(105, s -> s.phase("post-stop", T0));

            assertEquals("post-stop", host.state(105).get("lastPhase"));
            assertTrue(Files.exists(host.paths().stateDir().resolve("105.json.corrupt")));
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

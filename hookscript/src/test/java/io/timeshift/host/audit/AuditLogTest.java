package io.timeshift.host.audit;

import io.timeshift.host.io.Json;
import io.timeshift.host.testing.AuditAppenderMain;
import io.timeshift.host.testing.JavaProcesses;
import io.timeshift.host.testing.MutableClock;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditLogTest {
    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.at("2026-01-10T08:00:00Z");

    private AuditLog log() {
        return new AuditLog(dir.resolve("log/audit.jsonl"), clock);
    }

    private List<String> lines() throws Exception {
        return new ArrayList<>(Files.readAllLines(dir.resolve("log/audit.jsonl"), StandardCharsets.UTF_8));
    }

    private void writeLines(List<String> lines) throws Exception {
        Files.writeString(dir.resolve("log/audit.jsonl"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private void appendThree() {
        AuditLog log = log();
        log.append("hook", 105, "hook-pre-start", Map.of("mode", "fixed"));
        clock.advance(Duration.ofSeconds(1));
        log.append("root", 105, "apply", Map.of("result", "ok"));
        clock.advance(Duration.ofSeconds(1));
        log.append("hook", 105, "hook-post-stop", Map.of());
    }

    /** Every line is a whole entry with the contract's fields in order, and the chain checks out. */
    private static void assertWellFormedChain(AuditLog log, int expectedLines) throws Exception {
        AuditLog.Verification v = log.verify();
        assertTrue(v.ok(), v.problem());
        assertEquals(expectedLines, v.lines());
        for (String line : log.readLines()) {
            Map<String, Object> m = Json.parseObject(line, "audit");
            assertEquals(List.of("at", "actor", "vmid", "action", "details", "prev", "hash"), new ArrayList<>(m.keySet()), line);
        }
    }

    @Nested
    class Append {
        @Test
        void firstEntryChainsOntoSixtyFourZeros() throws Exception {
            String hash = log().append("hook", 105, "hook-pre-start", Map.of("mode", "fixed"));

            Map<String, Object> m = Json.parseObject(lines().get(0), "audit");
            assertEquals("0".repeat(64), m.get("prev"));
            assertEquals(hash, m.get("hash"));
            assertEquals("2026-01-10T08:00:00Z", m.get("at"));
            assertEquals("hook", m.get("actor"));
            assertEquals(105, ((Number) m.get("vmid")).intValue());
            assertEquals("hook-pre-start", m.get("action"));
            assertEquals(Map.of("mode", "fixed"), m.get("details"));
        }

        @Test
        void eachEntryChainsOntoThePreviousHash() throws Exception {
            appendThree();

            List<String> lines = lines();
            for (int i = 1; i < lines.size(); i++) {
                assertEquals(Json.parseObject(lines.get(i - 1), "a").get("hash"), Json.parseObject(lines.get(i), "a").get("prev"));
            }
        }

        @Test
        void hashIsSha256OfTheLineUpToTheHashField() throws Exception {
            log().append(null, null, "audit-test", null);

            String line = lines().get(0);
            String unhashed = line.substring(0, line.indexOf(",\"hash\":\""));
            assertEquals(AuditLog.sha256(unhashed), Json.parseObject(line, "a").get("hash"));
            assertTrue(line.contains("\"actor\":null,\"vmid\":null"), line);
        }

        @Test
        void appendAfterATornLastLineStartsOnANewLine() throws Exception {
            // a crash mid-append left half a line without its newline
            appendThree();
            String text = Files.readString(log().file());
            Files.writeString(log().file(), text + "{\"at\":\"2026-01-10T08:00:03Z\",\"actor\":\"ho");

            log().append("hook", 105, "hook-pre-start", Map.of());

            List<String> lines = lines();
            assertEquals(5, lines.size());
            assertTrue(lines.get(3).endsWith("\"actor\":\"ho"), lines.get(3));
            assertEquals(Json.parseObject(lines.get(2), "a").get("hash"), Json.parseObject(lines.get(4), "a").get("prev"));
            AuditLog.Verification v = log().verify();
            assertEquals(4, v.firstBadLine(), v.problem());
        }
    }

    @Nested
    class Verify {
        @Test
        void anIntactLogVerifies() throws Exception {
            appendThree();

            assertWellFormedChain(log(), 3);
        }

        @Test
        void aMissingLogVerifiesEmpty() {
            AuditLog.Verification v = log().verify();

            assertTrue(v.ok());
            assertEquals(0, v.lines());
        }

        @Test
        void detectsAnEditedLine() throws Exception {
            appendThree();
            List<String> lines = lines();
            lines.set(1, lines.get(1).replace("\"result\":\"ok\"", "\"result\":\"failed\""));
            writeLines(lines);

            AuditLog.Verification v = log().verify();

            assertEquals(2, v.firstBadLine());
            assertTrue(v.problem().startsWith("line 2 "), v.problem());
            assertTrue(v.problem().contains("modified"), v.problem());
        }

        @Test
        void detectsAnEditedLineWhoseHashWasRecomputed() throws Exception {
            appendThree();
            List<String> lines = lines();
            String edited = lines.get(1).replace("\"result\":\"ok\"", "\"result\":\"failed\"");
            String unhashed = edited.substring(0, edited.indexOf(",\"hash\":\""));
            lines.set(1, unhashed + ",\"hash\":\"" + AuditLog.sha256(unhashed) + "\"}");
            writeLines(lines);

            AuditLog.Verification v = log().verify();

            assertEquals(3, v.firstBadLine(), v.problem());
        }

        @Test
        void detectsADeletedLine() throws Exception {
            appendThree();
            List<String> lines = lines();
            lines.remove(1);
            writeLines(lines);

            AuditLog.Verification v = log().verify();

            assertEquals(2, v.firstBadLine());
            assertTrue(v.problem().contains("line 2 does not follow line 1"), v.problem());
        }

        @Test
        void detectsADeletedFirstLine() throws Exception {
            appendThree();
            List<String> lines = lines();
            lines.remove(0);
            writeLines(lines);

            assertEquals(1, log().verify().firstBadLine());
        }

        @Test
        void detectsSwappedLines() throws Exception {
            appendThree();
            List<String> lines = lines();
            String two = lines.get(1);
            lines.set(1, lines.get(2));
            lines.set(2, two);
            writeLines(lines);

            AuditLog.Verification v = log().verify();

            assertEquals(2, v.firstBadLine());
        }

        @Test
        void detectsATruncatedLastLine() throws Exception {
            appendThree();
            String text = Files.readString(log().file());
            Files.writeString(log().file(), text.substring(0, text.length() - 20));

            AuditLog.Verification v = log().verify();

            assertEquals(3, v.firstBadLine());
            assertEquals(3, v.lines());
            assertTrue(v.problem().contains("line 3 is not a complete audit entry"), v.problem());
        }

        @Test
        void detectsAnInsertedForeignLine() throws Exception {
            appendThree();
            List<String> lines = lines();
            lines.add(1, "{\"note\":\"hello\"}");
            writeLines(lines);

            assertEquals(2, log().verify().firstBadLine());
        }
    }

    @Nested
    class Concurrency {
        @Test
        void twoThreadsAppendingAtOnceNeitherInterleaveNorForkTheChain() throws Exception {
            AuditLog log = log();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            CountDownLatch go = new CountDownLatch(1);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (String actor : List.of("thread-a", "thread-b")) {
                    fs.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < 200; i++) {
                            log.append(actor, 105, "test-append", Map.of("i", i));
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

            assertWellFormedChain(log, 400);
            assertEquals(Map.of("thread-a", 200, "thread-b", 200), countByActor(log));
        }

        @Test
        void twoProcessesAppendingAtOnceNeitherInterleaveNorForkTheChain() throws Exception {
            Path file = dir.resolve("log/audit.jsonl");
            List<Process> ps = new ArrayList<>();
            try {
                for (String actor : List.of("proc-a", "proc-b")) {
                    ps.add(JavaProcesses.start(AuditAppenderMain.class, file.toString(), "200", actor));
                }
                List<BufferedReader> outs = new ArrayList<>();
                for (Process p : ps) {
                    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    assertEquals("ready", r.readLine());
                    outs.add(r);
                }
                for (Process p : ps) { // release both at once
                    p.getOutputStream().write('\n');
                    p.getOutputStream().flush();
                }
                for (int i = 0; i < ps.size(); i++) {
                    assertTrue(ps.get(i).waitFor(60, TimeUnit.SECONDS), "appender did not finish");
                    String rest = outs.get(i).lines().reduce("", (a, b) -> a + b + "\n");
                    assertEquals(0, ps.get(i).exitValue(), rest);
                    assertEquals("done\n", rest);
                }
            } finally {
                ps.forEach(Process::destroyForcibly);
            }

            AuditLog log = new AuditLog(file, clock);
            assertWellFormedChain(log, 400);
            assertEquals(Map.of("proc-a", 200, "proc-b", 200), countByActor(log));
        }

        private Map<String, Integer> countByActor(AuditLog log) throws Exception {
            Map<String, Integer> n = new HashMap<>();
            for (String line : log.readLines()) {
                n.merge(String.valueOf(Json.parseObject(line, "a").get("actor")), 1, Integer::sum);
            }
            return n;
        }
    }
}

package io.timeshift.host.audit;

import io.timeshift.host.io.Json;
import io.timeshift.host.testing.AuditAppenderMain;
import io.timeshift.host.testing.JavaProcesses;
import io.timeshift.testsupport.MutableClock;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.timeshift.common.error.EnvironmentException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayInputStream;
import java.io.SequenceInputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.StandardOpenOption;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        void aTornLastLineAfterTheAnchoredEndIsCutOffByTheNextAppend() throws Exception {
            // a crash mid-append left half a line without its newline, after the end the anchor records
            appendThree();
            String text = Files.readString(log().file());
            Files.writeString(log().file(), text + "{\"at\":\"2026-01-10T08:00:03Z\",\"actor\":\"ho");

            log().append("hook", 105, "hook-pre-start", Map.of());

            List<String> lines = lines();
            assertEquals(4, lines.size());
            assertEquals(Json.parseObject(lines.get(2), "a").get("hash"), Json.parseObject(lines.get(3), "a").get("prev"));
            assertWellFormedChain(log(), 4);
        }

        @Test
        void aTornLastLineWithoutAnAnchorIsKeptOnALineOfItsOwnAndNamedByVerify() throws Exception {
            // a log from before anchors: nothing proves the half line is no entry, so it stays
            appendThree();
            Files.delete(log().anchorFile());
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

        @Test
        void eachAppendMovesTheAnchorToTheNewLastLine() throws Exception {
            appendThree();

            String last = log().append("root", 105, "disable", Map.of());

            assertEquals("{\"lines\":4,\"bytes\":" + Files.size(log().file()) + ",\"hash\":\"" + last + "\"}\n",
                    Files.readString(log().anchorFile()));
        }

        @Test
        void aDirectoryWhereTheLogShouldBeIsExit3NamingIt() throws Exception {
            Files.createDirectories(log().file());

            EnvironmentException e = assertThrows(EnvironmentException.class,
                    () -> log().append("hook", 105, "hook-pre-start", Map.of()));

            assertEquals(3, e.exitCode());
            assertTrue(e.getMessage().contains(log().file() + ": it is a directory"), e.getMessage());
        }

        @Test
        void appendOrWarnRecordsAndHasNothingToSay() throws Exception {
            assertEquals(java.util.Optional.empty(), log().appendOrWarn("root", 105, "verify", Map.of("ok", true)));

            assertEquals(1, Files.readAllLines(log().file()).size());
        }

        @Test
        void appendOrWarnReturnsTheOneLineWarningForTheCommandToPrintInsteadOfFailing() throws Exception {
            Files.createDirectories(log().file());

            assertEquals(java.util.Optional.of("warning: not recorded in the audit log: cannot append to audit log " + log().file()
                    + ": it is a directory; move it away (the log is a file)"), log().appendOrWarn("root", 105, "verify", Map.of()));
        }
    }

    @Nested
    class AFailingDisk {
        private AuditLog failing(long room, boolean failForce) {
            return new AuditLog(dir.resolve("log/audit.jsonl"), clock, new FaultyOpener(room, failForce));
        }

        @Test
        void anAppendThatRunsOutOfSpaceLeavesTheLogAsItWasAndSaysSo() throws Exception {
            appendThree();
            byte[] before = Files.readAllBytes(log().file());
            String anchorBefore = Files.readString(log().anchorFile());

            EnvironmentException e = assertThrows(EnvironmentException.class,
                    () -> failing(40, false).append("hook", 105, "hook-post-stop", Map.of()));

            assertEquals(3, e.exitCode());
            assertTrue(e.getMessage().startsWith("cannot append to audit log " + log().file() + ": No space left on device"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("the entry was not recorded (the log is unchanged)"), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(log().file()));
            assertEquals(anchorBefore, Files.readString(log().anchorFile()));
        }

        @Test
        void afterAFullDiskTheNextAppendAndVerifySucceed() throws Exception {
            appendThree();
            assertThrows(EnvironmentException.class, () -> failing(40, false).append("hook", 105, "lost", Map.of()));

            log().append("hook", 105, "hook-pre-start", Map.of());

            assertWellFormedChain(log(), 4);
        }

        @Test
        void aFailingFsyncAlsoCutsTheLineBackOff() throws Exception {
            appendThree();
            byte[] before = Files.readAllBytes(log().file());

            EnvironmentException e = assertThrows(EnvironmentException.class,
                    () -> failing(Long.MAX_VALUE, true).append("hook", 105, "hook-post-stop", Map.of()));

            assertTrue(e.getMessage().contains("Input/output error"), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(log().file()));
            assertWellFormedChain(log(), 3);
        }

        @Test
        void theFirstAppendFailingLeavesAnEmptyLogThatVerifies() throws Exception {
            assertThrows(EnvironmentException.class, () -> failing(10, false).append("hook", 105, "lost", Map.of()));

            assertEquals(0, Files.size(log().file()));
            AuditLog.Verification v = log().verify();
            assertTrue(v.ok(), v.problem());
            assertEquals(0, v.lines());
        }

        @Test
        void anUnreadableLogIsExit3NamingItNeverAnEmptyChain() {
            AuditLog unreadable = new AuditLog(dir.resolve("log/audit.jsonl"), clock, new FaultyOpener(0, false) {
                @Override
                public InputStream read(Path file) throws IOException {
                    throw new AccessDeniedException(file.toString());
                }
            });
            log().append("hook", 105, "hook-pre-start", Map.of());

            EnvironmentException e = assertThrows(EnvironmentException.class, unreadable::verify);

            assertEquals(3, e.exitCode());
            assertEquals("cannot read audit log " + log().file() + ": permission denied (run as root; /etc/pve is"
                    + " read-only without quorum)", e.getMessage());
        }
    }

    /** {@code n} zero bytes, handed out in large reads without touching a disk. */
    static final class Zeros extends InputStream {
        private long left;

        Zeros(long n) {
            left = n;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }

    /** Opens the real file, wrapped so that its disk fills up after {@code room} bytes. */
    static class FaultyOpener implements AuditLog.Opener {
        private final long room;
        private final boolean failForce;

        FaultyOpener(long room, boolean failForce) {
            this.room = room;
            this.failForce = failForce;
        }

        @Override
        public FileChannel append(Path file) throws IOException {
            return new FaultyChannel(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), room, failForce, "No space left on device");
        }

        @Override
        public InputStream read(Path file) throws IOException {
            return Files.newInputStream(file);
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
    class TheAnchor {
        @Test
        void deletingTheLastLineIsDetected() throws Exception {
            appendThree();
            List<String> lines = lines();
            lines.remove(2);
            writeLines(lines);

            AuditLog.Verification v = log().verify();

            assertFalse(v.ok());
            assertEquals(3, v.firstBadLine());
            assertTrue(v.problem().startsWith("the log ends after line 2 but its anchor records 3 lines (last hash "),
                    v.problem());
            assertTrue(v.problem().endsWith("): lines were deleted from the end"), v.problem());
        }

        @Test
        void emptyingTheLogIsDetected() throws Exception {
            appendThree();
            Files.write(log().file(), new byte[0]);

            AuditLog.Verification v = log().verify();

            assertEquals(1, v.firstBadLine());
            assertTrue(v.problem().startsWith("the log is empty but its anchor records 3 lines"), v.problem());
        }

        @Test
        void deletingTheLogIsDetected() throws Exception {
            appendThree();
            Files.delete(log().file());

            AuditLog.Verification v = log().verify();

            assertTrue(v.problem().startsWith("the log is missing but its anchor records 3 lines"), v.problem());
        }

        @Test
        void deletingTheAnchorIsDetected() throws Exception {
            appendThree();
            Files.delete(log().anchorFile());

            AuditLog.Verification v = log().verify();

            assertFalse(v.ok());
            assertTrue(v.problem().startsWith("no anchor " + log().anchorFile() + " beside a log of 3 lines"), v.problem());
        }

        @Test
        void aGarbledAnchorIsNamed() throws Exception {
            appendThree();
            Files.writeString(log().anchorFile(), "{\"lines\":\"three\"}");

            AuditLog.Verification v = log().verify();

            assertTrue(v.problem().startsWith("the anchor " + log().anchorFile() + " is not valid (expected"), v.problem());
        }

        @Test
        void aLaterAppendDoesNotHideThatLinesWereCutOff() throws Exception {
            appendThree();
            List<String> lines = lines();
            writeLines(lines.subList(0, 1));

            log().append("hook", 105, "hook-pre-start", Map.of());
            log().append("hook", 105, "hook-post-start", Map.of());

            AuditLog.Verification v = log().verify();
            assertFalse(v.ok());
            assertTrue(v.problem().startsWith("the log no longer matches its anchor (which recorded 3 lines"), v.problem());
        }

        @Test
        void aLineWrittenBeforeACrashThatLostTheAnchorUpdateStillVerifiesWithANote() throws Exception {
            appendThree();
            String anchorOfThree = Files.readString(log().anchorFile());
            log().append("hook", 105, "hook-pre-start", Map.of());
            Files.writeString(log().anchorFile(), anchorOfThree); // the rename never happened

            AuditLog.Verification v = log().verify();

            assertTrue(v.ok(), v.problem());
            assertEquals(4, v.lines());
            assertTrue(v.note().startsWith("1 line(s) after the anchor"), v.note());
            log().append("hook", 105, "hook-post-start", Map.of());
            AuditLog.Verification after = log().verify();
            assertTrue(after.ok(), after.problem());
            assertNull(after.note());
        }

        @Test
        void aRewrittenLogOfTheSameLengthIsDetected() throws Exception {
            appendThree();
            String anchor = Files.readString(log().anchorFile());
            Files.delete(log().file());
            Files.delete(log().anchorFile());
            appendThree(); // a fresh, self-consistent chain of three lines
            Files.writeString(log().anchorFile(), anchor);

            AuditLog.Verification v = log().verify();

            assertFalse(v.ok(), "a chain that is not the anchored one must not verify");
        }
    }

    @Nested
    class AnySize {
        @Test
        void aLogOverTwoGibibytesIsStreamedAndItsOverlongLineNamed() throws Exception {
            // the reader used to take the file's length as an int: a 2 GiB log was "0 lines, intact"
            appendThree();
            byte[] three = Files.readAllBytes(log().file());
            long huge = (1L << 31) + 100;
            AuditLog big = new AuditLog(log().file(), clock, new FaultyOpener(0, false) {
                @Override
                public InputStream read(Path file) {
                    return new SequenceInputStream(new ByteArrayInputStream(three), new Zeros(huge));
                }
            });

            AuditLog.Verification v = big.verify();

            assertEquals(4, v.firstBadLine(), v.problem());
            assertEquals(4, v.lines());
            assertEquals("line 4 is longer than 1048576 bytes: not an audit entry (edited or foreign data)", v.problem());
        }

        @Test
        void aDirectoryInsteadOfTheLogIsExit3NeverAnIntactChain() throws Exception {
            Files.createDirectories(log().file());

            EnvironmentException e = assertThrows(EnvironmentException.class, () -> log().verify());

            assertEquals(3, e.exitCode());
            assertEquals("cannot read audit log " + log().file() + ": it is a directory, not the log; move it away",
                    e.getMessage());
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

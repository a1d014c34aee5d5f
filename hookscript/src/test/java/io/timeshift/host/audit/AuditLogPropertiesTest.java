package io.timeshift.host.audit;

import com.fasterxml.jackson.jr.ob.JSON;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.common.error.EnvironmentException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whatever bytes the log and its anchor hold, the reader answers; a tampered byte is named by its line. */
class AuditLogPropertiesTest {

    private static Path freshDir() throws Exception {
        return Files.createTempDirectory("audit-prop");
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Provide
    Arbitrary<byte[]> logBytes() {
        // raw bytes, and bytes biased towards what a log is made of (braces, quotes, newlines, hex)
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(3000);
        Arbitrary<byte[]> shaped = Arbitraries.strings().withChars("{}\",:\n0123456789abcdefprevhash\\ ")
                .ofMaxLength(3000).map(s -> s.getBytes(StandardCharsets.UTF_8));
        return Arbitraries.oneOf(raw, shaped);
    }

    @Property(tries = 300)
    void anyBytesInTheLogAndTheAnchorGiveAVerdictNeverAnotherException(@ForAll("logBytes") byte[] log,
                                                                        @ForAll("logBytes") byte[] anchor) throws Exception {
        Path dir = freshDir();
        try {
            Files.write(dir.resolve("audit.jsonl"), log);
            Files.write(dir.resolve("audit.jsonl.anchor"), anchor);
            AuditLog.Verification v = new AuditLog(dir.resolve("audit.jsonl"), MutableClock.at("2026-01-10T08:00:00Z")).verify();
            assertNotNull(v.anchor());
            if (log.length > 0) {
                assertFalse(v.ok(), "random bytes verified as a log");
            }
            if (!v.ok()) {
                assertFalse(v.problem().contains("\n"), v.problem());
                assertTrue(v.firstBadLine() >= 0 && v.firstBadLine() <= v.lines() + 1, v.toString());
            }
        } finally {
            deleteTree(dir);
        }
    }

    @Property(tries = 300)
    void anyBytesListedAsJsonGiveOneValidJsonArrayWithOneElementPerLine(@ForAll("logBytes") byte[] log) throws Exception {
        StringWriter sw = new StringWriter();
        io.timeshift.host.cli.AuditListing.list(new ByteArrayInputStream(log), new PrintWriter(sw), true, "audit.jsonl");

        Object parsed = JSON.std.anyFrom(sw.toString());

        assertTrue(parsed instanceof List<?>, sw.toString());
        assertEquals(lineCount(log), ((List<?>) parsed).size(), sw.toString());
    }

    @Property(tries = 300)
    void anyBytesListedAsTextGiveOneOutputLinePerLogLine(@ForAll("logBytes") byte[] log) throws Exception {
        StringWriter sw = new StringWriter();
        io.timeshift.host.cli.AuditListing.list(new ByteArrayInputStream(log), new PrintWriter(sw), false, "audit.jsonl");

        String out = sw.toString();
        assertEquals(lineCount(log), out.isEmpty() ? 0 : out.split("\n", -1).length - 1, out);
    }

    private static int lineCount(byte[] b) {
        int n = 0;
        for (byte x : b) {
            if (x == '\n') {
                n++;
            }
        }
        return b.length > 0 && b[b.length - 1] != '\n' ? n + 1 : n;
    }

    /** Entry texts; no NUL: the JSON writer's handling of it is another change's (LightJson). */
    @Provide
    Arbitrary<List<String>> details() {
        return Arbitraries.strings().all().excludeChars('\u0000').ofMaxLength(40).list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 200)
    void changingAnyOneByteOfAValidLogIsNamedByItsLine(@ForAll("details") List<String> details,
                                                       @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int where,
                                                       @ForAll @IntRange(min = 1, max = 255) int delta) throws Exception {
        Path dir = freshDir();
        try {
            Path file = dir.resolve("audit.jsonl");
            AuditLog log = new AuditLog(file, MutableClock.at("2026-01-10T08:00:00Z"));
            for (String d : details) {
                log.append("root", 105, "test", Map.of("text", d));
            }
            byte[] b = Files.readAllBytes(file);
            int at = where % b.length;
            b[at] = (byte) (b[at] + delta);
            Files.write(file, b);
            long line = 1;
            for (int i = 0; i < at; i++) {
                if (b[i] == '\n') {
                    line++;
                }
            }

            AuditLog.Verification v = log.verify();

            assertFalse(v.ok(), "a changed byte at " + at + " verified");
            assertEquals(line, v.firstBadLine(), v.problem());
            assertTrue(v.problem().startsWith("line " + line + " "), v.problem());
        } catch (EnvironmentException e) {
            throw new AssertionError("unexpected environment failure: " + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    @Property(tries = 100)
    void cuttingAnyNumberOfBytesOffTheEndIsDetected(@ForAll @IntRange(min = 1, max = 5) int entries,
                                                    @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int cut) throws Exception {
        Path dir = freshDir();
        try {
            Path file = dir.resolve("audit.jsonl");
            AuditLog log = new AuditLog(file, MutableClock.at("2026-01-10T08:00:00Z"));
            for (int i = 0; i < entries; i++) {
                log.append("root", 105, "test", Map.of("i", i));
            }
            byte[] b = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(b, b.length - 1 - (cut % b.length)));

            assertFalse(log.verify().ok());
        } finally {
            deleteTree(dir);
        }
    }
}

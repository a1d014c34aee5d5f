package io.timeshift.host.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The log sink of workers, stores and hook phases: one line per call, escaped and cut as every message line. */
class PrintStreamLinesTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Test
    void writesPlainTextAsItIsOneLineAtATime() {
        LogLines log = new PrintStreamLines(new PrintStream(bytes, false, StandardCharsets.UTF_8));

        log.line("2026-01-10T08:00:00Z VM 105: applying fixed 2021-03-01T12:00:00Z");
        log.line("second");

        assertEquals("2026-01-10T08:00:00Z VM 105: applying fixed 2021-03-01T12:00:00Z\nsecond\n",
                bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void escapesControlCharactersSoAGuestsTextStaysOnItsLine() {
        new PrintStreamLines(new PrintStream(bytes, false, StandardCharsets.UTF_8)).line("os x\u001b[2J\nroot# \u0000");

        assertEquals("os x\\u001b[2J\\nroot# \\u0000\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void cutsALineAtTheMessageLimit() {
        new PrintStreamLines(new PrintStream(bytes, false, StandardCharsets.UTF_8)).line("x".repeat(5000));

        assertEquals("x".repeat(999) + "\u2026\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void flushesEveryLineSoTheLogFileIsCompleteAtOnce() {
        ByteArrayOutputStream flushed = new ByteArrayOutputStream();
        OutputStream recordsOnFlush = new ByteArrayOutputStream() {
            @Override
            public void flush() {
                flushed.reset();
                flushed.writeBytes(toByteArray());
            }
        };

        new PrintStreamLines(new PrintStream(recordsOnFlush, false, StandardCharsets.UTF_8)).line("one");

        assertEquals("one\n", flushed.toString(StandardCharsets.UTF_8));
    }
}

package io.timeshift.host.io;

import io.timeshift.common.text.Sanitizer;

import java.io.PrintStream;
import java.util.Objects;

/**
 * {@link LogLines} over a stream (a worker's log file, a hook's stderr): each line through
 * {@link Sanitizer#line} (one line, control characters escaped, at most {@value Sanitizer#LINE_MAX}
 * characters), then flushed, so a line is complete in the file the moment it is written.
 */
public final class PrintStreamLines implements LogLines {
    private final PrintStream out;

    public PrintStreamLines(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public void line(String text) {
        out.println(Sanitizer.line(text));
        out.flush();
    }
}

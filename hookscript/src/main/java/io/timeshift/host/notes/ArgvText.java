package io.timeshift.host.notes;

import io.timeshift.host.notes.NotesLine;
import io.timeshift.common.error.EnvironmentException;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Whether text survives being passed to pvesh as a command-line argument. The JVM encodes argv in
 * {@code sun.jnu.encoding}, which follows the locale: under {@code LC_ALL=C} it is ASCII and every other
 * character becomes '?'. A VM's Notes are written back whole, so non-ASCII Notes would be garbled.
 */
public final class ArgvText {
    private ArgvText() {
    }

    static Charset charset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    public static boolean passes(String text) {
        return text == null || charset().newEncoder().canEncode(text);
    }

    /** The Notes separator the locale can pass: the contract's " · ", else " - ". */
    public static String separator() {
        return passes(NotesLine.SEPARATOR) ? NotesLine.SEPARATOR : NotesLine.ASCII_SEPARATOR;
    }

    /** Refuses to write Notes that would be garbled. */
    public static void requirePasses(int vmid, String description) {
        if (!passes(description)) {
            throw new EnvironmentException("VM " + vmid + ": its Notes contain characters that the current locale ("
                    + charset().name() + ") would garble on the way to pvesh; run with LC_ALL=C.UTF-8");
        }
    }
}

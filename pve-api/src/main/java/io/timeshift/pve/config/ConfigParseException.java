package io.timeshift.pve.config;

import io.timeshift.pve.error.InvalidInputException;

/**
 * A line of a {@code qemu-server/<vmid>.conf} file the reader cannot accept. The message is one line,
 * {@code <file>:<line>: <what> (expected "key: value")}, so editors and terminals can jump to it.
 */
public class ConfigParseException extends InvalidInputException {
    private final String source;
    private final int line;

    public ConfigParseException(String source, int line, String what) {
        super(source + ":" + line + ": " + what + " (expected \"key: value\")");
        this.source = source;
        this.line = line;
    }

    /** The file (or source name) that was parsed. */
    public String source() {
        return source;
    }

    /** 1-based line number. */
    public int line() {
        return line;
    }
}

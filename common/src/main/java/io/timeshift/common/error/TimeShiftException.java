package io.timeshift.common.error;

import io.timeshift.common.text.Sanitizer;

/**
 * Root of the project's typed exceptions. Every subclass carries the process exit code it maps to
 * (contract: 0 ok, 1 check failed, 2 invalid input, 3 environment not usable) and a message that is
 * one line: what went wrong, where (file/field/VM), and what to do. Exit codes are mapped in exactly
 * one place: {@link #exitCode()} of the four direct subclasses.
 *
 * <p>The message is passed through {@link Sanitizer#line}: whatever outside text a caller quoted in it
 * (a file's value, a guest's error text), it stays one line without control characters and at most
 * {@value Sanitizer#LINE_MAX} characters.
 */
public abstract class TimeShiftException extends RuntimeException {
    public static final int CHECK_FAILED = 1;
    public static final int INVALID_INPUT = 2;
    public static final int ENVIRONMENT = 3;

    protected TimeShiftException(String message) {
        super(Sanitizer.line(message));
    }

    protected TimeShiftException(String message, Throwable cause) {
        super(Sanitizer.line(message), cause);
    }

    /** The process exit code for this failure. */
    public abstract int exitCode();
}

package io.timeshift.guest.error;

/**
 * Root of time-shift-guest's typed exceptions. Each direct subclass fixes the process exit code it
 * maps to (contract: 0 ok, 1 check failed, 2 invalid input, 3 environment not usable); the message
 * is one line: what went wrong, where, and what to do. {@code cli.ErrorHandler} is the only place
 * that turns these into output and exit codes.
 */
public abstract class GuestException extends RuntimeException {
    public static final int CHECK_FAILED = 1;
    public static final int INVALID_INPUT = 2;
    public static final int ENVIRONMENT = 3;

    protected GuestException(String message) {
        super(message);
    }

    protected GuestException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The process exit code for this failure. */
    public abstract int exitCode();
}

package io.timeshift.guest.error;

/** A check ran and found a problem that has no report of its own to print: exit 1. */
public class CheckFailedException extends GuestException {
    public CheckFailedException(String message) {
        super(message);
    }

    @Override
    public final int exitCode() {
        return CHECK_FAILED;
    }
}

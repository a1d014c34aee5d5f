package io.timeshift.common.error;

/** A check ran and found a problem (verify, doctor, audit --verify, plan without a window): exit 1. */
public class CheckFailedException extends TimeShiftException {
    public CheckFailedException(String message) {
        super(message);
    }

    @Override
    public final int exitCode() {
        return CHECK_FAILED;
    }
}

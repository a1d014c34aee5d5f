package io.timeshift.pve.api.error;

import io.timeshift.common.error.EnvironmentException;
import java.time.Duration;

/**
 * Something took longer than its (monotonic) time budget: connecting, waiting for the answer,
 * a pvesh process, or a task wait. Exit 3.
 */
public class PveTimeoutException extends EnvironmentException implements TransportFailure {
    private final PveFailure failure;
    private final Duration limit;

    public PveTimeoutException(String operation, String detail, Duration limit, boolean requestMayHaveBeenSent,
            Throwable cause) {
        super(ErrorText.prefix(operation) + detail + " (limit " + human(limit) + ")", cause);
        this.failure = PveFailure.withoutStatus(operation, detail, requestMayHaveBeenSent);
        this.limit = limit;
    }

    static String human(Duration d) {
        if (d == null) {
            return "?";
        }
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    public Duration limit() {
        return limit;
    }

    @Override
    public PveFailure failure() {
        return failure;
    }
}

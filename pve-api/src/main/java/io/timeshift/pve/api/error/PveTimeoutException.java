package io.timeshift.pve.api.error;

import io.timeshift.pve.error.EnvironmentException;
import java.time.Duration;

/**
 * Something took longer than its (monotonic) time budget: connecting, waiting for the answer,
 * a pvesh process, or a task wait. Exit 3.
 */
public class PveTimeoutException extends EnvironmentException implements TransportFailure {
    private final String operation;
    private final String detail;
    private final Duration limit;
    private final boolean requestMayHaveBeenSent;

    public PveTimeoutException(String operation, String detail, Duration limit, boolean requestMayHaveBeenSent,
            Throwable cause) {
        super(ErrorText.prefix(operation) + detail + " (limit " + human(limit) + ")", cause);
        this.operation = operation;
        this.detail = detail;
        this.limit = limit;
        this.requestMayHaveBeenSent = requestMayHaveBeenSent;
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
    public boolean requestMayHaveBeenSent() {
        return requestMayHaveBeenSent;
    }

    @Override
    public String operation() {
        return operation;
    }

    @Override
    public int status() {
        return 0;
    }

    @Override
    public String pveMessage() {
        return detail;
    }
}

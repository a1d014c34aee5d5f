package io.timeshift.pve.api.error;

import io.timeshift.pve.error.EnvironmentException;

/**
 * The connection failed: refused, reset, unknown host, closed without an answer, or the endpoint's
 * circuit breaker is open because it failed repeatedly. Exit 3.
 */
public class PveConnectionException extends EnvironmentException implements TransportFailure {
    private final String operation;
    private final String detail;
    private final boolean requestMayHaveBeenSent;

    public PveConnectionException(String operation, String detail, boolean requestMayHaveBeenSent, Throwable cause) {
        super(ErrorText.prefix(operation) + detail, cause);
        this.operation = operation;
        this.detail = detail;
        this.requestMayHaveBeenSent = requestMayHaveBeenSent;
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

package io.timeshift.pve.api.error;

import io.timeshift.common.error.EnvironmentException;

/**
 * The connection failed: refused, reset, unknown host, closed without an answer, or the endpoint's
 * circuit breaker is open because it failed repeatedly. Exit 3.
 */
public class PveConnectionException extends EnvironmentException implements TransportFailure {
    private final PveFailure failure;

    public PveConnectionException(String operation, String detail, boolean requestMayHaveBeenSent, Throwable cause) {
        super(ErrorText.prefix(operation) + detail, cause);
        this.failure = PveFailure.withoutStatus(operation, detail, requestMayHaveBeenSent);
    }

    @Override
    public PveFailure failure() {
        return failure;
    }
}

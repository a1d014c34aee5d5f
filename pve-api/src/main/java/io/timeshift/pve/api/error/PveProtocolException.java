package io.timeshift.pve.api.error;

import io.timeshift.common.error.EnvironmentException;

/**
 * A successful answer that does not have the shape we rely on (not JSON, a missing field, a
 * number that is not one). Points at a PVE version we do not understand or at something that is not
 * PVE. Exit 3.
 */
public class PveProtocolException extends EnvironmentException implements PveError {
    private final PveFailure failure;

    public PveProtocolException(String operation, String detail) {
        super(ErrorText.prefix(operation) + "unexpected answer: " + detail);
        this.failure = PveFailure.withoutStatus(operation, detail, true);
    }

    public PveProtocolException(String operation, String detail, Throwable cause) {
        super(ErrorText.prefix(operation) + "unexpected answer: " + detail, cause);
        this.failure = PveFailure.withoutStatus(operation, detail, true);
    }

    @Override
    public PveFailure failure() {
        return failure;
    }
}

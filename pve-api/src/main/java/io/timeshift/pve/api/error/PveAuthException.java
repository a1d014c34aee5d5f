package io.timeshift.pve.api.error;

import io.timeshift.common.error.EnvironmentException;

/**
 * HTTP 401: the API token, password, TOTP code or ticket was rejected (PVE answers every login
 * failure with {@code 401 authentication failure}; a stale ticket gives
 * {@code 401 permission denied - invalid PVE ticket}). Retrying cannot help. Exit 3.
 */
public class PveAuthException extends EnvironmentException implements PveError {
    private final PveFailure failure;

    public PveAuthException(String operation, int status, String pveMessage) {
        super(ErrorText.prefix(operation) + "authentication failed (" + status + " "
                + ErrorText.firstLine(pveMessage)
                + "): check the API token (user@realm!id=secret) or the user and password file");
        this.failure = PveFailure.answered(operation, status, pveMessage);
    }

    @Override
    public PveFailure failure() {
        return failure;
    }
}

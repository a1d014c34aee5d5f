package io.timeshift.pve.api.error;

import io.timeshift.common.error.EnvironmentException;

/**
 * The TLS handshake failed: the certificate is not trusted, its name does not match, or its
 * fingerprint differs from the pinned one (the message then shows both). The request was never
 * sent. Exit 3.
 */
public class PveTlsException extends EnvironmentException implements TransportFailure {
    private final PveFailure failure;

    public PveTlsException(String operation, String detail, Throwable cause) {
        super(ErrorText.prefix(operation) + detail, cause);
        this.failure = PveFailure.withoutStatus(operation, detail, false);
    }

    @Override
    public PveFailure failure() {
        return failure;
    }
}

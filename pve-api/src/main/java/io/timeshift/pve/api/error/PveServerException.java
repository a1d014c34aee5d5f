package io.timeshift.pve.api.error;

import io.timeshift.common.error.EnvironmentException;

/**
 * The server failed: any 5xx not classified more precisely, including pveproxy's 595/596 proxy
 * errors ({@code 596 Connection timed out}, {@code 596 Broken pipe}: the node we talked to could not
 * reach the node that owns the VM), 501 ({@code Method 'GET /nodes/x/foo' not implemented}), an
 * HTML error page from a reverse proxy (first line of text only), or an unexpected status. Exit 3.
 *
 * <p>{@link #isTransient()} says whether retrying a read can help: 5xx except 501, from a real HTTP
 * answer. A plain pvesh {@code die} (status 0) is deterministic and is not retried.
 */
public class PveServerException extends EnvironmentException implements PveError {
    private final PveFailure failure;

    public PveServerException(String operation, int status, String pveMessage) {
        super(ErrorText.prefix(operation) + (status > 0 ? "server error " + status + ": " : "")
                + ErrorText.firstLine(pveMessage));
        this.failure = PveFailure.answered(operation, status, pveMessage);
    }

    /** True for 5xx answers other than 501: the same read may succeed a moment later. */
    public boolean isTransient() {
        int status = status();
        return status >= 500 && status <= 599 && status != 501;
    }

    @Override
    public PveFailure failure() {
        return failure;
    }
}

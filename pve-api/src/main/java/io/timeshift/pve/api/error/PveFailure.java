package io.timeshift.pve.api.error;

import java.io.Serializable;

/**
 * The facts every {@link PveError} carries, as one value: the operation that failed, the HTTP
 * status ({@code 0} when there was none), PVE's message (first line) or a description of the
 * transport failure, and whether the request may have reached the server.
 *
 * <p>The exception types cannot share a base class (they extend different exit-code classes), so
 * each holds one of these and {@link PveError} / {@link TransportFailure} read their accessors
 * from it.
 *
 * @param operation              what was attempted, e.g. {@code "PUT /nodes/pve1/qemu/105/config"}
 * @param status                 HTTP status, or 0 when there was none
 * @param pveMessage             PVE's message (first line), or the transport failure's detail
 * @param requestMayHaveBeenSent false only when the request certainly never left this machine;
 *                               true whenever PVE answered
 */
public record PveFailure(String operation, int status, String pveMessage, boolean requestMayHaveBeenSent)
        implements Serializable {

    /** PVE answered (an HTTP error or a pvesh {@code die}): keeps the first line of its message. */
    static PveFailure answered(String operation, int status, String pveMessage) {
        return new PveFailure(operation, status, ErrorText.firstLine(pveMessage), true);
    }

    /** No usable HTTP status (transport failure, answer of unexpected shape): status 0, detail as given. */
    static PveFailure withoutStatus(String operation, String detail, boolean requestMayHaveBeenSent) {
        return new PveFailure(operation, 0, detail, requestMayHaveBeenSent);
    }
}

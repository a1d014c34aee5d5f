package io.timeshift.pve.api.error;

/**
 * What every Proxmox API failure carries besides its one-line message: the operation that failed
 * ({@code "GET /nodes/pve1/qemu/105/config"} or {@code "pvesh get /nodes/pve1/qemu/105/config"}),
 * the HTTP status ({@code 0} when there was none, e.g. a plain {@code die} printed by pvesh or a
 * failure before any answer) and PVE's own message (first line, as PVE wrote it).
 *
 * <p>The concrete types extend the project's exit-code classes ({@code EnvironmentException},
 * {@code InvalidInputException}), so this interface is how callers reach the shared fields. Each
 * type holds them as one {@link PveFailure}; the accessors below read from it.
 */
public interface PveError {
    /** The shared fields as one value. */
    PveFailure failure();

    /** The operation that failed, e.g. {@code "PUT /nodes/pve1/qemu/105/config"}. */
    default String operation() {
        return failure().operation();
    }

    /** HTTP status, or 0 when there was none. */
    default int status() {
        return failure().status();
    }

    /** PVE's message (first line), or a description of the transport failure. */
    default String pveMessage() {
        return failure().pveMessage();
    }
}

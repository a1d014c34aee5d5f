package io.timeshift.pve.api.error;

/**
 * A failure below HTTP (connect, TLS, socket, timeout). The retry presets need one fact from it:
 * whether the request may already have reached the server. Only a failure where it certainly did
 * not (connection refused, connect timeout, unknown host) may be re-sent for a non-idempotent write.
 */
public interface TransportFailure extends PveError {
    /** False only when the request certainly never left this machine. */
    default boolean requestMayHaveBeenSent() {
        return failure().requestMayHaveBeenSent();
    }
}

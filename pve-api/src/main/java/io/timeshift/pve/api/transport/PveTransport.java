package io.timeshift.pve.api.transport;

import java.util.Map;

/**
 * The one seam between the typed client and the wire. Two implementations: {@link PveshTransport}
 * (local, as root, through the {@code pvesh} CLI) and {@link HttpsTransport} (REST over HTTPS).
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>{@code path} is the API path below {@code /api2/json}, with raw (unencoded) segments, e.g.
 *       {@code /nodes/pve1/tasks/UPID:pve1:...:root@pam:/status}. Callers build it with
 *       {@code io.timeshift.pve.api.ApiPath}, never by concatenation.</li>
 *   <li>{@code params} are form-style: values are {@code String}s, or a {@code List<String>} for PVE
 *       array parameters (agent exec's {@code command}). Iteration order is kept (pvesh argv order).
 *       A {@code Map<String,String>} is accepted as is.</li>
 *   <li>On success return the payload (the envelope is removed); on failure throw exactly one of the
 *       types in {@code io.timeshift.pve.api.error}, classified by
 *       {@code PveErrorClassifier}; never return an error as a value.</li>
 *   <li>Never retry on its own: retries are the client's decision (see {@code retry.Resilience}),
 *       because only the caller knows whether an operation is safe to repeat. (The HTTPS transport's
 *       single re-login on a 401 is not a retry of the operation: a 401 was rejected before running.)</li>
 *   <li>Never put secrets into argv, logs or exception messages.</li>
 * </ul>
 * Implementations are thread-safe.
 */
public interface PveTransport extends AutoCloseable {

    /** Perform one call. See the class comment for the contract. */
    PveResponse call(Method method, String path, Map<String, ?> params);

    /**
     * A stable name for the endpoint, used to key the circuit breaker ({@code host:port}), or
     * {@code "local"} for the node itself.
     */
    default String endpoint() {
        return "local";
    }

    @Override
    void close();
}

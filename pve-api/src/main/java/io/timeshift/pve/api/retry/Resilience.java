package io.timeshift.pve.api.retry;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.timeshift.pve.api.error.PveConnectionException;
import io.timeshift.pve.api.transport.Method;
import io.timeshift.pve.api.transport.PveResponse;
import io.timeshift.pve.api.transport.PveTransport;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Runs transport calls under the presets: GET with {@link RetryPresets#idempotentRead}, every other
 * method with {@link RetryPresets#nonIdempotentWrite}, each attempt through the endpoint's circuit
 * breaker. One instance per client (no global state); thread-safe.
 */
public final class Resilience {
    private final RetryConfig config;
    private final Map<String, CircuitBreaker<Object>> breakers = new ConcurrentHashMap<>();

    public Resilience(RetryConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public RetryConfig config() {
        return config;
    }

    /** One API call with the preset for its method. */
    public PveResponse call(PveTransport transport, Method method, String path, Map<String, ?> params) {
        String operation = method + " " + path;
        RetryPolicy<Object> retry = method.isIdempotentRead()
                ? RetryPresets.idempotentRead(operation, config.reads())
                : RetryPresets.nonIdempotentWrite(operation, config.writes());
        return (PveResponse) run(transport.endpoint(), operation, retry, () -> transport.call(method, path, params));
    }

    /**
     * Poll {@code read} until {@code notReadyYet} is false (see {@link RetryPresets#pollUntilReady});
     * returns the last result, ready or not.
     */
    @SuppressWarnings("unchecked")
    public <T> T pollUntilReady(String endpoint, String operation, Supplier<T> read, Predicate<T> notReadyYet) {
        RetryPolicy<Object> retry = RetryPresets.pollUntilReady(operation, r -> notReadyYet.test((T) r), config.polls());
        return (T) run(endpoint, operation, retry, read::get);
    }

    /** The breaker of an endpoint (created on first use). */
    public CircuitBreaker<Object> breaker(String endpoint) {
        return breakers.computeIfAbsent(endpoint, e -> RetryPresets.endpointBreaker(e, config.breaker()));
    }

    private Object run(String endpoint, String operation, RetryPolicy<Object> retry, Supplier<?> action) {
        try {
            if (config.breaker().disabled()) {
                return Failsafe.with(retry).get(action::get);
            }
            CircuitBreaker<Object> breaker = breaker(endpoint);
            return Failsafe.with(retry, breaker).get(action::get);
        } catch (CircuitBreakerOpenException e) {
            throw new PveConnectionException(operation, "endpoint " + endpoint + " failed " + config.breaker().failureThreshold()
                    + " times in a row; not contacting it for up to " + config.breaker().openFor().toSeconds()
                    + " s (circuit open)", false, e);
        }
    }
}

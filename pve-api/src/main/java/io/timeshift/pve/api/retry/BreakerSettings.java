package io.timeshift.pve.api.retry;

import io.timeshift.common.error.InvalidInputException;
import java.time.Duration;
import java.util.Objects;

/**
 * Per-endpoint circuit breaker: after {@code failureThreshold} consecutive endpoint failures
 * (connection refused/reset, timeouts, transient 5xx) the endpoint is "open" for {@code openFor}:
 * calls fail at once instead of waiting for a dead node's timeouts; then one trial call decides.
 *
 * @param failureThreshold consecutive failures that open the breaker; {@link Integer#MAX_VALUE} disables it
 * @param openFor          how long calls fail fast before a trial call
 */
public record BreakerSettings(int failureThreshold, Duration openFor) {
    /** A breaker that never opens. */
    public static final BreakerSettings DISABLED = new BreakerSettings(Integer.MAX_VALUE, Duration.ofSeconds(1));

    public BreakerSettings {
        Objects.requireNonNull(openFor, "openFor");
        if (failureThreshold < 1) {
            throw new InvalidInputException("circuit breaker threshold must be >= 1 (got " + failureThreshold + ")");
        }
        if (openFor.isNegative() || openFor.isZero()) {
            throw new InvalidInputException("circuit breaker open time must be positive (got " + openFor + ")");
        }
    }

    public boolean disabled() {
        return failureThreshold == Integer.MAX_VALUE;
    }
}

package io.timeshift.pve.api.retry;

import io.timeshift.common.error.InvalidInputException;
import java.time.Duration;
import java.util.Objects;

/**
 * How hard one retry preset tries. Delays grow exponentially from {@code initialDelay} to
 * {@code maxDelay} with ±{@code jitter} (a factor 0..1) so that many clients do not retry in step;
 * a zero {@code initialDelay} means no delay at all (tests). {@code maxDuration} bounds the whole
 * operation including all attempts and delays.
 *
 * @param maxAttempts  total attempts including the first (1 = no retries)
 * @param initialDelay first delay; {@link Duration#ZERO} for none
 * @param maxDelay     upper bound of the backoff
 * @param jitter       random factor 0..1 applied to each delay
 * @param maxDuration  overall bound for the operation
 */
public record RetrySettings(int maxAttempts, Duration initialDelay, Duration maxDelay, double jitter, Duration maxDuration) {
    /** One attempt, no retries. */
    public static final RetrySettings NONE = new RetrySettings(1, Duration.ZERO, Duration.ZERO, 0, Duration.ofDays(1));

    public RetrySettings {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(maxDuration, "maxDuration");
        if (maxAttempts < 1) {
            throw new InvalidInputException("retry attempts must be >= 1 (got " + maxAttempts + ")");
        }
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
            throw new InvalidInputException("retry delays must satisfy 0 <= initial <= max (got " + initialDelay + ", " + maxDelay + ")");
        }
        if (jitter < 0 || jitter > 1) {
            throw new InvalidInputException("retry jitter must be between 0 and 1 (got " + jitter + ")");
        }
        if (maxDuration.compareTo(maxDelay) <= 0) {
            throw new InvalidInputException("retry max duration must be longer than the max delay (got " + maxDuration + ")");
        }
    }

    /** Same attempts and bounds, but no delays: for tests. */
    public RetrySettings withoutDelays() {
        return new RetrySettings(maxAttempts, Duration.ZERO, Duration.ZERO, 0, maxDuration);
    }

    /** Same delays with a different number of attempts. */
    public RetrySettings withMaxAttempts(int attempts) {
        return new RetrySettings(attempts, initialDelay, maxDelay, jitter, maxDuration);
    }
}

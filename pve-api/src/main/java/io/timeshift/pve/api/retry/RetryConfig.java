package io.timeshift.pve.api.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * The retry and breaker settings of one client.
 *
 * @param reads   for GET ({@link RetryPresets#idempotentRead})
 * @param writes  for POST/PUT/DELETE ({@link RetryPresets#nonIdempotentWrite}: only re-sent when
 *                the request certainly never left this machine)
 * @param polls   for {@link RetryPresets#pollUntilReady}
 * @param breaker per endpoint
 */
public record RetryConfig(RetrySettings reads, RetrySettings writes, RetrySettings polls, BreakerSettings breaker) {
    public RetryConfig {
        Objects.requireNonNull(reads, "reads");
        Objects.requireNonNull(writes, "writes");
        Objects.requireNonNull(polls, "polls");
        Objects.requireNonNull(breaker, "breaker");
    }

    /**
     * Production defaults: reads 3 attempts, 250 ms doubling to 2 s, ±25 % jitter, at most 30 s;
     * writes 3 attempts on refused connections only; polls up to 30 attempts over at most 2 min;
     * breaker opens after 5 consecutive endpoint failures for 30 s.
     */
    public static RetryConfig defaults() {
        return new RetryConfig(
                new RetrySettings(3, Duration.ofMillis(250), Duration.ofSeconds(2), 0.25, Duration.ofSeconds(30)),
                new RetrySettings(3, Duration.ofMillis(500), Duration.ofSeconds(2), 0.25, Duration.ofSeconds(30)),
                new RetrySettings(30, Duration.ofMillis(500), Duration.ofSeconds(5), 0.25, Duration.ofMinutes(2)),
                new BreakerSettings(5, Duration.ofSeconds(30)));
    }

    /** The defaults with every delay zero: for tests (attempt counts stay the same). */
    public static RetryConfig noDelays() {
        RetryConfig d = defaults();
        return new RetryConfig(d.reads.withoutDelays(), d.writes.withoutDelays(), d.polls.withoutDelays(), d.breaker);
    }

    /** One attempt for everything, breaker disabled. */
    public static RetryConfig none() {
        return new RetryConfig(RetrySettings.NONE, RetrySettings.NONE, RetrySettings.NONE, BreakerSettings.DISABLED);
    }

    public RetryConfig withBreaker(BreakerSettings b) {
        return new RetryConfig(reads, writes, polls, b);
    }
}

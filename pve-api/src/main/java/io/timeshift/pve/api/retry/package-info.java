/**
 * Retries and circuit breaking with Failsafe: named presets in
 * {@link io.timeshift.pve.api.retry.RetryPresets} ({@code idempotentRead}, {@code nonIdempotentWrite},
 * {@code pollUntilReady}, {@code endpointBreaker}, and for callers that wrap a whole operation:
 * {@code configLock}, {@code configRace}, {@code pollLocal}), settings records
 * ({@link io.timeshift.pve.api.retry.RetryConfig#defaults()}, {@code noDelays()} for tests,
 * {@code none()}), and {@link io.timeshift.pve.api.retry.Resilience}, which applies them per call
 * with one breaker per endpoint ({@code host:port}).
 *
 * <p>How to extend: add a named preset with an explicit {@code handleIf}, {@code abortOn},
 * attempts and {@code withMaxDuration}; never hand-roll a retry loop; never retry a write whose
 * request may have reached the server.
 */
package io.timeshift.pve.api.retry;

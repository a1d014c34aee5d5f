package io.timeshift.pve.api.retry;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerBuilder;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import io.timeshift.pve.api.error.PveAuthException;
import io.timeshift.pve.api.error.PveConflictException;
import io.timeshift.pve.api.error.PveParameterException;
import io.timeshift.pve.api.error.PvePermissionException;
import io.timeshift.pve.api.error.PveServerException;
import io.timeshift.pve.api.error.PveTlsException;
import io.timeshift.pve.api.error.TransportFailure;
import java.time.Duration;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named Failsafe presets. Each states what it retries ({@code handleIf}), what ends it at once
 * ({@code abortOn}: authentication, permission and parameter errors, which no retry can fix), and
 * is bounded by attempts and {@code withMaxDuration}. Compose as Failsafe documents: retry outside,
 * circuit breaker inside ({@code Failsafe.with(retry, breaker)}), so every attempt passes the breaker
 * and an open breaker ends the retries.
 *
 * <p>Common mistake this avoids: retrying a write after a timeout or a reset connection. The write
 * may have run (PVE config updates are not transactional towards the client); repeating it can
 * apply a change twice or fail with a digest mismatch after it actually succeeded.
 */
public final class RetryPresets {
    private static final Logger LOG = LoggerFactory.getLogger(RetryPresets.class);

    private RetryPresets() {
    }

    /**
     * GET: retry on connection refused/reset, timeouts, and 5xx except 501 (incl. pveproxy's 596
     * proxy errors); never on 4xx, authentication, not-found or conflicts.
     */
    public static <T> RetryPolicy<T> idempotentRead(String operation, RetrySettings s) {
        RetryPolicyBuilder<T> b = RetryPolicy.<T>builder()
                .handleIf((T r, Throwable e) -> e != null && isRetryableRead(e));
        return finish(b, operation, s);
    }

    /**
     * POST/PUT/DELETE: re-sent only when the request certainly never left this machine (connection
     * refused, connect timeout, unknown host, TLS handshake failure before sending). Never after a
     * timeout or reset once the request may have reached the server: the outcome is unknown.
     */
    public static <T> RetryPolicy<T> nonIdempotentWrite(String operation, RetrySettings s) {
        RetryPolicyBuilder<T> b = RetryPolicy.<T>builder()
                .handleIf((T r, Throwable e) -> e != null && isSafeToResend(e));
        return finish(b, operation, s);
    }

    /**
     * Poll a read until {@code notReadyYet} is false for its result, also retrying what
     * {@link #idempotentRead} retries and the transient conflicts "guest agent not running yet" and
     * "lock timeout". When attempts or time run out, the last result (still not ready) is returned;
     * callers check it.
     */
    public static <T> RetryPolicy<T> pollUntilReady(String operation, Predicate<T> notReadyYet, RetrySettings s) {
        RetryPolicyBuilder<T> b = RetryPolicy.<T>builder()
                .handleIf((T r, Throwable e) -> e != null && (isRetryableRead(e) || isTransientConflict(e)))
                .handleResultIf(r -> notReadyYet.test(r));
        return finish(b, operation, s);
    }

    /**
     * A config write that waits for the VM's config lock (e.g. {@code startdate} set while the stop
     * task still holds {@code /var/lock/qemu-server/lock-<vmid>.conf}): retried only on
     * {@link PveConflictException.Reason#LOCK_TIMEOUT} ({@code can't lock file '...' - got timeout}),
     * where PVE gave up before running the update, so sending it again cannot apply it twice. A VM
     * locked by a {@code lock:} property ({@code VM is locked (backup)},
     * {@link PveConflictException.Reason#LOCKED}) is not retried: a backup or migration outlasts any
     * sensible wait. Bounded by {@code s} (see {@link #configLockSettings}).
     */
    public static <T> RetryPolicy<T> configLock(String operation, RetrySettings s) {
        RetryPolicyBuilder<T> b = RetryPolicy.<T>builder()
                .handleIf((T r, Throwable e) -> e != null && isLockTimeout(e));
        return finish(b, operation, s);
    }

    /**
     * A read-modify-write of a VM config checked against its digest (read, change, {@code PUT} with
     * {@code digest}): the whole sequence is retried when it lost a race that left nothing written:
     * the digest no longer matched ({@link PveConflictException.Reason#DIGEST_MISMATCH}, someone
     * changed the config between read and write) or the config lock was not free in time
     * ({@link PveConflictException.Reason#LOCK_TIMEOUT}). Each attempt must read again.
     */
    public static <T> RetryPolicy<T> configRace(String operation, RetrySettings s) {
        RetryPolicyBuilder<T> b = RetryPolicy.<T>builder()
                .handleIf((T r, Throwable e) -> e != null && isConfigRaceLost(e));
        return finish(b, operation, s);
    }

    /**
     * Poll something local (a file lock, a process) until {@code notReadyYet} is false for its
     * result. Exceptions are not retried: only the result decides. When attempts or time run out the
     * last result (still not ready) is returned; callers check it.
     */
    public static <T> RetryPolicy<T> pollLocal(String operation, Predicate<T> notReadyYet, RetrySettings s) {
        RetryPolicyBuilder<T> b = RetryPolicy.<T>builder()
                .handleIf((T r, Throwable e) -> e == null && notReadyYet.test(r))
                .onRetriesExceeded(ev -> LOG.debug("{}: still not ready after {} attempts", operation, ev.getAttemptCount()));
        return finish(b, operation, s);
    }

    /**
     * Settings for {@link #configLock}: PVE's own lock wait is 10 s per attempt ({@code lock_config}),
     * so a few attempts 0.5 s to 10 s apart, with jitter, for at most {@code maxWait}.
     */
    public static RetrySettings configLockSettings(Duration maxWait) {
        return new RetrySettings(30, Duration.ofMillis(500), Duration.ofSeconds(10), 0.25, maxWait);
    }

    /**
     * Settings for {@link #pollLocal}: look again after 0.2 s, backing off to 1 s, for at most
     * {@code maxWait} (attempts bounded by what fits into it); one attempt when {@code maxWait} is
     * under 2 ms.
     */
    public static RetrySettings pollLocalSettings(Duration maxWait) {
        if (maxWait.toMillis() < 2) {
            return RetrySettings.NONE;
        }
        Duration maxDelay = maxWait.dividedBy(2).compareTo(Duration.ofSeconds(1)) < 0 ? maxWait.dividedBy(2) : Duration.ofSeconds(1);
        Duration initial = maxDelay.dividedBy(2).compareTo(Duration.ofMillis(200)) < 0 ? maxDelay.dividedBy(2) : Duration.ofMillis(200);
        long attempts = Math.min(Integer.MAX_VALUE - 1, maxWait.toMillis() / Math.max(1, initial.toMillis()) + 2);
        return new RetrySettings((int) attempts, initial, maxDelay, 0, maxWait);
    }

    /** Settings for {@link #configRace}: 3 attempts, 0.5 s then 1 s apart, at most 30 s. */
    public static RetrySettings configRaceSettings() {
        return new RetrySettings(3, Duration.ofMillis(500), Duration.ofSeconds(1), 0, Duration.ofSeconds(30));
    }

    /** The per-endpoint breaker (see {@link BreakerSettings}). */
    public static <T> CircuitBreaker<T> endpointBreaker(String endpoint, BreakerSettings s) {
        CircuitBreakerBuilder<T> b = CircuitBreaker.<T>builder()
                .handleIf((T r, Throwable e) -> e != null && isEndpointFailure(e))
                .withFailureThreshold(s.failureThreshold())
                .withDelay(s.openFor())
                .withSuccessThreshold(1)
                .onOpen(ev -> LOG.warn("endpoint {} failed {} times in a row; failing fast for {} s", endpoint,
                        s.failureThreshold(), s.openFor().toSeconds()))
                .onClose(ev -> LOG.info("endpoint {} answers again", endpoint));
        return b.build();
    }

    private static <T> RetryPolicy<T> finish(RetryPolicyBuilder<T> b, String operation, RetrySettings s) {
        b.abortOn(PveAuthException.class, PvePermissionException.class, PveParameterException.class)
                .withMaxAttempts(s.maxAttempts())
                .withMaxDuration(s.maxDuration())
                .onRetry(ev -> LOG.debug("{}: attempt {} failed ({}); retrying", operation, ev.getAttemptCount(),
                        ev.getLastException() == null ? "not ready" : ev.getLastException().getMessage()));
        if (!s.initialDelay().isZero()) { // Failsafe's default is no delay; withDelay(ZERO) is refused
            b.withBackoff(s.initialDelay(), s.maxDelay());
            if (s.jitter() > 0) {
                b.withJitter(s.jitter());
            }
        }
        return b.build();
    }

    /** What a read may retry. Public for tests and for callers that build their own policies. */
    public static boolean isRetryableRead(Throwable e) {
        if (e instanceof PveTlsException) {
            return false; // a certificate problem does not go away
        }
        if (e instanceof TransportFailure) {
            return true;
        }
        return e instanceof PveServerException s && s.isTransient();
    }

    /** What a write may re-send: only failures where the request never left this machine. */
    public static boolean isSafeToResend(Throwable e) {
        return e instanceof TransportFailure f && !(e instanceof PveTlsException) && !f.requestMayHaveBeenSent();
    }

    /** What counts against an endpoint's circuit breaker. */
    public static boolean isEndpointFailure(Throwable e) {
        if (e instanceof PveTlsException) {
            return false;
        }
        return e instanceof TransportFailure || (e instanceof PveServerException s && s.isTransient());
    }

    /** PVE could not take a lock in time and ran nothing: {@code can't lock file ... - got timeout}, {@code cfs-lock ... got lock request timeout}. */
    public static boolean isLockTimeout(Throwable e) {
        return e instanceof PveConflictException c && c.reason() == PveConflictException.Reason.LOCK_TIMEOUT;
    }

    /** A digest-checked config write lost a race and wrote nothing (digest mismatch or lock timeout). */
    public static boolean isConfigRaceLost(Throwable e) {
        return e instanceof PveConflictException c && (c.reason() == PveConflictException.Reason.DIGEST_MISMATCH
                || c.reason() == PveConflictException.Reason.LOCK_TIMEOUT);
    }

    private static boolean isTransientConflict(Throwable e) {
        return e instanceof PveConflictException c && (c.reason() == PveConflictException.Reason.AGENT_NOT_RUNNING
                || c.reason() == PveConflictException.Reason.LOCK_TIMEOUT);
    }
}

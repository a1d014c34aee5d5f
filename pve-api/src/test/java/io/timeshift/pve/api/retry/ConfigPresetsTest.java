package io.timeshift.pve.api.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.timeshift.pve.api.error.PveConflictException;
import io.timeshift.pve.api.error.PveErrorClassifier;
import io.timeshift.pve.api.error.PvePermissionException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The presets for callers that wrap a whole config operation: configLock, configRace, pollLocal. */
class ConfigPresetsTest {
    static final String OP = "PUT /nodes/pve1/qemu/105/config";
    static final RetrySettings FAST = RetryPresets.configLockSettings(Duration.ofSeconds(30)).withoutDelays().withMaxAttempts(4);

    /** What pvesh's stderr gives the classifier for one failed PUT (status 0: a plain die). */
    static RuntimeException pve(String message) {
        return PveErrorClassifier.classify(OP, 0, message, Map.of());
    }

    /** Runs {@code policy} over an action that fails with {@code failure} {@code failures} times, then returns "ok". */
    static int attempts(RetryPolicy<Object> policy, RuntimeException failure, int failures) {
        AtomicInteger n = new AtomicInteger();
        try {
            Failsafe.with(policy).get(() -> {
                if (n.incrementAndGet() <= failures) {
                    throw failure;
                }
                return "ok";
            });
        } catch (RuntimeException e) {
            assertSame(failure, e, "the last failure itself is rethrown");
        }
        return n.get();
    }

    @Nested
    class ConfigLock {
        @Test
        void aLockTimeoutIsRetriedUntilTheLockIsFree() {
            RuntimeException e = pve("can't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout");

            assertEquals(3, attempts(RetryPresets.configLock(OP, FAST), e, 2));
        }

        @Test
        void aLockTimeoutStopsAfterTheBoundedAttempts() {
            RuntimeException e = pve("trying to acquire lock...\ncan't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout");

            assertEquals(4, attempts(RetryPresets.configLock(OP, FAST), e, 100));
        }

        @Test
        void aVmLockedForABackupIsNotRetried() {
            RuntimeException e = pve("VM is locked (backup)");

            assertEquals(PveConflictException.Reason.LOCKED, ((PveConflictException) e).reason());
            assertEquals(1, attempts(RetryPresets.configLock(OP, FAST), e, 100));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {
                "hardware clock not available",
                "unable to set clock: clock skew detected",
                "block device busy",
                "unable to parse value of 'startdate' - block job running",
                "lock"})
        void messagesThatMerelyContainLockAreNotRetried(String message) {
            RuntimeException e = pve(message);

            assertEquals(1, attempts(RetryPresets.configLock(OP, FAST), e, 100), e.toString());
            assertEquals(1, attempts(RetryPresets.configRace(OP, FAST), e, 100), e.toString());
        }

        @Test
        void permissionErrorsEndAtOnce() {
            RuntimeException e = new PvePermissionException(OP, 403, "Permission check failed (/vms/105, VM.Config.Options)",
                    "/vms/105", List.of("VM.Config.Options"));

            assertEquals(1, attempts(RetryPresets.configLock(OP, FAST), e, 100));
        }

        @Test
        void productionSettingsWaitAtMostTheGivenTimeWithBackoff() {
            RetrySettings s = RetryPresets.configLockSettings(Duration.ofMinutes(5));

            assertEquals(Duration.ofMinutes(5), s.maxDuration());
            assertEquals(Duration.ofMillis(500), s.initialDelay());
            assertEquals(Duration.ofSeconds(10), s.maxDelay());
            assertEquals(30, s.maxAttempts());
            RetryPresets.configLock(OP, s); // builds with backoff and jitter
        }
    }

    @Nested
    class ConfigRace {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "checksum mismatch (file change by other user?)|3",
                "can't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout|3",
                "VM is locked (backup)|1",
                "VM 105 not running|1"})
        void retriesOnlyTheRacesThatWroteNothing(String message, int expectedAttempts) {
            assertEquals(expectedAttempts, attempts(RetryPresets.configRace(OP, RetryPresets.configRaceSettings().withoutDelays()),
                    pve(message), 100));
        }
    }

    @Nested
    class PollLocal {
        @Test
        void pollsUntilReadyAndReturnsTheReadyResult() {
            AtomicInteger n = new AtomicInteger();
            String got = Failsafe.with(RetryPresets.<String>pollLocal("lock", r -> r == null, FAST))
                    .get(() -> n.incrementAndGet() < 3 ? null : "lock");

            assertEquals("lock", got);
            assertEquals(3, n.get());
        }

        @Test
        void givesUpWithTheLastNotReadyResult() {
            AtomicInteger n = new AtomicInteger();
            String got = Failsafe.with(RetryPresets.<String>pollLocal("lock", r -> r == null, FAST)).get(() -> {
                n.incrementAndGet();
                return null;
            });

            assertNull(got);
            assertEquals(4, n.get());
        }

        @Test
        void settingsFitAnyWaitIncludingShortAndZeroOnes() {
            RetrySettings minutes = RetryPresets.pollLocalSettings(Duration.ofMinutes(2));
            RetrySettings short1 = RetryPresets.pollLocalSettings(Duration.ofMillis(300));

            assertEquals(Duration.ofMillis(200), minutes.initialDelay());
            assertEquals(Duration.ofSeconds(1), minutes.maxDelay());
            assertEquals(Duration.ofMinutes(2), minutes.maxDuration());
            assertEquals(602, minutes.maxAttempts(), "bounded by what fits into the wait");
            assertEquals(Duration.ofMillis(150), short1.maxDelay());
            assertEquals(Duration.ofMillis(75), short1.initialDelay());
            assertEquals(RetrySettings.NONE, RetryPresets.pollLocalSettings(Duration.ZERO));
            RetryPresets.pollLocal("lock", r -> r == null, short1); // valid for Failsafe's backoff
        }

        @Test
        void anExceptionIsNotRetried() {
            AtomicInteger n = new AtomicInteger();
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException got = assertThrows(IllegalStateException.class,
                    () -> Failsafe.with(RetryPresets.<String>pollLocal("lock", r -> r == null, FAST)).get(() -> {
                        n.incrementAndGet();
                        throw boom;
                    }));

            assertSame(boom, got);
            assertEquals(1, n.get());
        }
    }
}

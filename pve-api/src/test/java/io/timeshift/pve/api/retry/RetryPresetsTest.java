package io.timeshift.pve.api.retry;

import io.timeshift.common.error.InvalidInputException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.failsafe.Failsafe;
import io.timeshift.pve.api.error.PveAuthException;
import io.timeshift.pve.api.error.PveConflictException;
import io.timeshift.pve.api.error.PveConnectionException;
import io.timeshift.pve.api.error.PveNotFoundException;
import io.timeshift.pve.api.error.PveParameterException;
import io.timeshift.pve.api.error.PvePermissionException;
import io.timeshift.pve.api.error.PveServerException;
import io.timeshift.pve.api.error.PveTimeoutException;
import io.timeshift.pve.api.error.PveTlsException;
import io.timeshift.pve.api.support.ScriptedTransport;
import io.timeshift.pve.api.transport.Method;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RetryPresetsTest {
    static final String OP = "op";
    static final String PATH = "/nodes/pve1/qemu/105/config";

    static PveConnectionException refused() {
        return new PveConnectionException(OP, "cannot connect to pve1:8006: Connection refused", false, null);
    }

    static PveConnectionException reset() {
        return new PveConnectionException(OP, "connection to pve1:8006 failed: Connection reset", true, null);
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                // failure, retried for reads, re-sent for writes
                Arguments.of(refused(), true, true),
                Arguments.of(new PveTimeoutException(OP, "connecting timed out", Duration.ofSeconds(1), false, null), true, true),
                Arguments.of(reset(), true, false),
                Arguments.of(new PveTimeoutException(OP, "no answer", Duration.ofSeconds(1), true, null), true, false),
                Arguments.of(new PveServerException(OP, 596, "Connection timed out"), true, false),
                Arguments.of(new PveServerException(OP, 500, "boom"), true, false),
                Arguments.of(new PveServerException(OP, 503, ""), true, false),
                Arguments.of(new PveServerException(OP, 501, "not implemented"), false, false),
                Arguments.of(new PveServerException(OP, 0, "pvesh die"), false, false),
                Arguments.of(new PveTlsException(OP, "fingerprint mismatch", null), false, false),
                Arguments.of(new PveAuthException(OP, 401, "authentication failure"), false, false),
                Arguments.of(new PvePermissionException(OP, 403, "Permission check failed", null, List.of()), false, false),
                Arguments.of(new PveParameterException(OP, 400, "Parameter verification failed.", Map.of()), false, false),
                Arguments.of(new PveNotFoundException(OP, 500, "Configuration file 'x' does not exist"), false, false),
                Arguments.of(new PveConflictException(OP, 500, "VM is locked (backup)", PveConflictException.Reason.LOCKED), false, false),
                Arguments.of(new IllegalStateException("a bug"), false, false));
    }

    @ParameterizedTest(name = "{0}: read {1}, write {2}")
    @MethodSource("failures")
    void predicatesSeparateWhatMayBeRepeated(RuntimeException e, boolean read, boolean write) {
        assertEquals(read, RetryPresets.isRetryableRead(e));
        assertEquals(write, RetryPresets.isSafeToResend(e));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void theResilienceAttemptsMatchThePredicates(RuntimeException e, boolean read, boolean write) {
        ScriptedTransport t = new ScriptedTransport().fail(Method.GET, PATH, e).fail(Method.PUT, PATH, e);
        Resilience r = new Resilience(RetryConfig.noDelays().withBreaker(BreakerSettings.DISABLED));

        RuntimeException got = assertThrows(RuntimeException.class, () -> r.call(t, Method.GET, PATH, Map.of()));
        RuntimeException got2 = assertThrows(RuntimeException.class, () -> r.call(t, Method.PUT, PATH, Map.of("a", "b")));

        assertSame(e, got);
        assertSame(e, got2);
        assertEquals(read ? 3 : 1, t.count(Method.GET, PATH));
        assertEquals(write ? 3 : 1, t.count(Method.PUT, PATH));
    }

    @Nested
    class Writes {
        @Test
        void aWriteRefusedBeforeSendingIsSentAgainAndSucceeds() {
            ScriptedTransport t = new ScriptedTransport().fail(Method.PUT, PATH, refused()).answer(Method.PUT, PATH, "null");

            new Resilience(RetryConfig.noDelays()).call(t, Method.PUT, PATH, Map.of("startdate", "now"));

            assertEquals(2, t.count(Method.PUT, PATH));
        }

        @Test
        void aWriteWhoseOutcomeIsUnknownIsNeverSentAgain() {
            ScriptedTransport t = new ScriptedTransport().fail(Method.POST, PATH, reset()).answer(Method.POST, PATH, "null");

            assertThrows(PveConnectionException.class, () -> new Resilience(RetryConfig.noDelays()).call(t, Method.POST, PATH, Map.of()));

            assertEquals(1, t.count(Method.POST, PATH));
        }
    }

    @Nested
    class Breaker {
        @Test
        void opensPerEndpointAndLeavesOtherEndpointsAlone() {
            Resilience r = new Resilience(RetryConfig.none().withBreaker(new BreakerSettings(2, Duration.ofMinutes(5))));
            ScriptedTransport dead = new ScriptedTransport("pve2:8006").fail(Method.GET, "/version", refused());
            ScriptedTransport alive = new ScriptedTransport("pve1:8006").answer(Method.GET, "/version", "{\"version\":\"8.2.4\"}");

            assertThrows(PveConnectionException.class, () -> r.call(dead, Method.GET, "/version", Map.of()));
            assertThrows(PveConnectionException.class, () -> r.call(dead, Method.GET, "/version", Map.of()));
            PveConnectionException open = assertThrows(PveConnectionException.class, () -> r.call(dead, Method.GET, "/version", Map.of()));

            assertTrue(open.getMessage().contains("endpoint pve2:8006 failed 2 times in a row"), open.getMessage());
            assertFalse(open.requestMayHaveBeenSent());
            assertEquals(2, dead.count(Method.GET, "/version"));
            assertEquals("8.2.4", r.call(alive, Method.GET, "/version", Map.of()).data().get("version").asText());
        }

        @Test
        void clientErrorsDoNotCountAgainstTheEndpoint() {
            Resilience r = new Resilience(RetryConfig.none().withBreaker(new BreakerSettings(2, Duration.ofMinutes(5))));
            ScriptedTransport t = new ScriptedTransport()
                    .fail(Method.GET, PATH, new PveNotFoundException(OP, 500, "Configuration file 'x' does not exist"));

            for (int i = 0; i < 5; i++) {
                assertThrows(PveNotFoundException.class, () -> r.call(t, Method.GET, PATH, Map.of()));
            }
            assertEquals(5, t.count(Method.GET, PATH));
        }
    }

    @Nested
    class Polling {
        @Test
        void pollsUntilTheResultIsReady() {
            AtomicInteger n = new AtomicInteger();
            Resilience r = new Resilience(RetryConfig.noDelays());

            int result = r.pollUntilReady("local", "agent ping", n::incrementAndGet, v -> v < 4);

            assertEquals(4, result);
        }

        @Test
        void agentNotRunningYetIsPolledThrough() {
            AtomicInteger n = new AtomicInteger();
            Resilience r = new Resilience(RetryConfig.noDelays());

            String result = r.pollUntilReady("local", "agent get-time", () -> {
                if (n.incrementAndGet() < 3) {
                    throw new PveConflictException(OP, 500, "QEMU guest agent is not running", PveConflictException.Reason.AGENT_NOT_RUNNING);
                }
                return "ok";
            }, v -> false);

            assertEquals("ok", result);
            assertEquals(3, n.get());
        }

        @Test
        void givesUpAfterTheAttemptsAndReturnsTheLastResult() {
            AtomicInteger n = new AtomicInteger();
            RetryConfig c = RetryConfig.noDelays();
            Resilience r = new Resilience(new RetryConfig(c.reads(), c.writes(), c.polls().withMaxAttempts(5), c.breaker()));

            assertEquals(5, (int) r.pollUntilReady("local", "never", n::incrementAndGet, v -> true));
        }
    }

    @Nested
    class Settings {
        @Test
        void productionDefaultsBuildValidPoliciesWithBackoffAndJitter() {
            RetryConfig d = RetryConfig.defaults();
            AtomicInteger n = new AtomicInteger();
            // one successful attempt: builds the policy with backoff + jitter without sleeping
            assertEquals(1, Failsafe.with(RetryPresets.<Integer>idempotentRead(OP, d.reads())).get(n::incrementAndGet));
            RetryPresets.nonIdempotentWrite(OP, d.writes());
            RetryPresets.pollUntilReady(OP, x -> false, d.polls());
            RetryPresets.endpointBreaker("pve1:8006", d.breaker());
            assertEquals(Duration.ZERO, RetryConfig.noDelays().reads().initialDelay());
            assertEquals(d.reads().maxAttempts(), RetryConfig.noDelays().reads().maxAttempts());
        }

        @Test
        void invalidSettingsAreRefusedWithTheValidRange() {
            assertThrows(io.timeshift.common.error.InvalidInputException.class,
                    () -> new RetrySettings(0, Duration.ZERO, Duration.ZERO, 0, Duration.ofSeconds(1)));
            assertThrows(io.timeshift.common.error.InvalidInputException.class,
                    () -> new RetrySettings(3, Duration.ofSeconds(2), Duration.ofSeconds(1), 0, Duration.ofSeconds(10)));
            assertThrows(io.timeshift.common.error.InvalidInputException.class,
                    () -> new RetrySettings(3, Duration.ZERO, Duration.ZERO, 1.5, Duration.ofSeconds(10)));
            assertThrows(io.timeshift.common.error.InvalidInputException.class, () -> new BreakerSettings(0, Duration.ofSeconds(1)));
        }
    }
}

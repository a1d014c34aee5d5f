package io.timeshift.pve.api.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared fields each exception holds as one {@link PveFailure}, read through the interfaces. */
class PveFailureTest {
    private static final String OP = "PUT /nodes/pve1/qemu/105/config";

    @Test
    void answeredFailuresKeepStatusAndFirstLineOfPveMessage() {
        List<PveError> answered = List.of(
                new PveAuthException(OP, 401, "\n authentication failure \nsecond"),
                new PveNotFoundException(OP, 500, "\n authentication failure \nsecond"),
                new PveServerException(OP, 596, "\n authentication failure \nsecond"),
                new PveConflictException(OP, 500, "\n authentication failure \nsecond", PveConflictException.Reason.LOCKED),
                new PveParameterException(OP, 400, "\n authentication failure \nsecond", Map.of()),
                new PvePermissionException(OP, 403, "\n authentication failure \nsecond", null, List.of()));
        for (PveError e : answered) {
            assertEquals(OP, e.operation(), e.getClass().getSimpleName());
            assertEquals("authentication failure", e.pveMessage(), e.getClass().getSimpleName());
            assertEquals(e.failure().status(), e.status());
            assertTrue(e.failure().requestMayHaveBeenSent(), e.getClass().getSimpleName());
        }
        assertEquals(596, new PveServerException(OP, 596, "x").status());
    }

    @Test
    void failuresWithoutAnswerHaveStatusZeroAndRawDetail() {
        TransportFailure refused = new PveConnectionException(OP, "refused\nmore", false, null);
        TransportFailure reset = new PveConnectionException(OP, "reset", true, null);
        TransportFailure timeout = new PveTimeoutException(OP, "read timed out", Duration.ofSeconds(5), true, null);
        TransportFailure tls = new PveTlsException(OP, "untrusted", null);
        PveError protocol = new PveProtocolException(OP, "not JSON");

        assertEquals(new PveFailure(OP, 0, "refused\nmore", false), refused.failure());
        assertFalse(refused.requestMayHaveBeenSent());
        assertTrue(reset.requestMayHaveBeenSent());
        assertTrue(timeout.requestMayHaveBeenSent());
        assertFalse(tls.requestMayHaveBeenSent());
        assertEquals(0, timeout.status());
        assertEquals("read timed out", timeout.pveMessage());
        assertEquals(new PveFailure(OP, 0, "not JSON", true), protocol.failure());
    }

    @Test
    void serverErrorTransienceStillReadsTheStatus() {
        assertTrue(new PveServerException(OP, 503, "x").isTransient());
        assertFalse(new PveServerException(OP, 501, "x").isTransient());
        assertFalse(new PveServerException(OP, 0, "x").isTransient());
    }
}

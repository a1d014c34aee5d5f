package io.timeshift.pve.api.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.error.PveServerException;
import io.timeshift.pve.api.error.PveTimeoutException;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.pve.api.retry.RetryConfig;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.testsupport.PveFixtures;
import io.timeshift.pve.api.support.ScriptedTransport;
import io.timeshift.pve.api.transport.Method;
import io.timeshift.pve.api.transport.PveResponse;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TaskWaiterTest {
    private static final Upid UPID = Upid.parse("UPID:pve1:000A1B2C:0012D687:6744A1B0:qmstart:105:root@pam:");
    private static final String STATUS = "/nodes/pve1/tasks/" + UPID + "/status";
    private static final String LOG = "/nodes/pve1/tasks/" + UPID + "/log";

    private final ScriptedTransport transport = new ScriptedTransport();
    private final FakeMonotonic time = new FakeMonotonic();
    private final TaskWaiter waiter = new TaskWaiter(PveClient.over(transport, RetryConfig.noDelays()), time, time,
            Duration.ofSeconds(1));

    private static String data(String fixture) {
        return PveJson.data(PveJson.parse(PveFixtures.load(fixture), "fixture")).toString();
    }

    @Nested
    class Success {
        @Test
        void returnsOnceTheTaskStopsWithOk() {
            transport.answer(Method.GET, STATUS, data("task-status-running.json"))
                    .answer(Method.GET, STATUS, data("task-status-running.json"))
                    .answer(Method.GET, STATUS, data("task-status-ok.json"));

            TaskResult r = waiter.waitFor(UPID, Duration.ofSeconds(30));

            assertEquals("OK", r.exitStatus());
            assertEquals(0, r.warnings());
            assertEquals(3, transport.count(Method.GET, STATUS));
            assertEquals(2, time.sleeps.size(), "sleeps only between polls");
        }

        @Test
        void warningsAreSuccessButCarried() {
            transport.answer(Method.GET, STATUS, data("task-status-warnings.json"));

            TaskResult r = waiter.waitFor(UPID, Duration.ofSeconds(30));

            assertEquals(2, r.warnings());
            assertTrue(r.hadWarnings());
        }

        @Test
        void aTransientStatusReadFailureIsRetriedNotFatal() {
            transport.fail(Method.GET, STATUS, new PveServerException("GET " + STATUS, 596, "Connection timed out"))
                    .answer(Method.GET, STATUS, data("task-status-ok.json"));

            assertEquals("OK", waiter.waitFor(UPID, Duration.ofSeconds(30)).exitStatus());
            assertEquals(2, transport.count(Method.GET, STATUS));
        }
    }

    @Nested
    class Failure {
        @Test
        void failedTaskCarriesTheLastLogLines() {
            transport.answer(Method.GET, STATUS, data("task-status-error.json"));
            JsonNode log = PveJson.parse(PveFixtures.load("task-log-error.json"), "fixture");
            transport.then(Method.GET, LOG, () -> new PveResponse(PveJson.data(log), PveJson.total(log)));

            TaskFailedException e = assertThrows(TaskFailedException.class, () -> waiter.waitFor(UPID, Duration.ofSeconds(30)));

            assertTrue(e.exitStatus().startsWith("hookscript error for 105 on pre-start"), e.exitStatus());
            assertEquals(4, e.logTail().size());
            assertTrue(e.logTail().get(1).contains("startdate in config is now"), e.logTail().toString());
            assertTrue(e.getMessage().startsWith("task qmstart 105 on pve1 failed: hookscript error"), e.getMessage());
            assertEquals(3, e.exitCode());
        }

        @Test
        void longLogsAreFetchedFromTheTail() {
            transport.answer(Method.GET, STATUS, data("task-status-error.json"));
            StringBuilder first = new StringBuilder("[");
            for (int i = 1; i <= 1000; i++) {
                first.append(i > 1 ? "," : "").append("{\"n\":").append(i).append(",\"t\":\"line ").append(i).append("\"}");
            }
            JsonNode page1 = PveJson.parse(first.append("]").toString(), "t");
            StringBuilder tail = new StringBuilder("[");
            for (int i = 1481; i <= 1500; i++) {
                tail.append(i > 1481 ? "," : "").append("{\"n\":").append(i).append(",\"t\":\"line ").append(i).append("\"}");
            }
            JsonNode page2 = PveJson.parse(tail.append("]").toString(), "t");
            transport.then(Method.GET, LOG, () -> new PveResponse(page1, OptionalLong.of(1500)))
                    .then(Method.GET, LOG, () -> new PveResponse(page2, OptionalLong.of(1500)));

            TaskFailedException e = assertThrows(TaskFailedException.class, () -> waiter.waitFor(UPID, Duration.ofSeconds(30)));

            assertEquals(TaskWaiter.LOG_TAIL_LINES, e.logTail().size());
            assertEquals("line 1500", e.logTail().get(19));
            assertEquals("1480", transport.calls.get(2).params().get("start"));
        }

        @Test
        void anUnreadableLogStillReportsTheFailure() {
            transport.answer(Method.GET, STATUS, data("task-status-error.json"))
                    .fail(Method.GET, LOG, new PveServerException("GET " + LOG, 501, "not implemented"));

            TaskFailedException e = assertThrows(TaskFailedException.class, () -> waiter.waitFor(UPID, Duration.ofSeconds(30)));

            assertTrue(e.logTail().get(0).startsWith("(task log unavailable"), e.logTail().toString());
        }
    }

    @Nested
    class Timeout {
        @Test
        void stillRunningAfterTheBudgetThrowsTimeoutOnTheMonotonicClock() {
            transport.answer(Method.GET, STATUS, data("task-status-running.json"));

            PveTimeoutException e = assertThrows(PveTimeoutException.class, () -> waiter.waitFor(UPID, Duration.ofMillis(2500)));

            assertEquals(Duration.ofMillis(2500), e.limit());
            assertEquals(Duration.ofMillis(2500), time.sleeps.stream().reduce(Duration.ZERO, Duration::plus),
                    "slept exactly the budget: 1 s, 1 s, 0.5 s");
            assertEquals(4, transport.count(Method.GET, STATUS));
            assertTrue(e.getMessage().contains("still running"), e.getMessage());
        }

        @Test
        void zeroTimeoutChecksOnce() {
            transport.answer(Method.GET, STATUS, data("task-status-running.json"));

            assertThrows(PveTimeoutException.class, () -> waiter.waitFor(UPID, Duration.ZERO));
            assertEquals(1, transport.count(Method.GET, STATUS));
            assertTrue(time.sleeps.isEmpty());
        }
    }
}

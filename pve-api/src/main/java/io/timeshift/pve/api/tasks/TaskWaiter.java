package io.timeshift.pve.api.tasks;

import io.timeshift.common.time.Sleeper;

import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.TasksApi;
import io.timeshift.pve.api.error.PveTimeoutException;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.time.Monotonic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Waits for a PVE task and checks how it ended. Time is measured on an injected {@link Monotonic}
 * (never the wall clock: this tool moves clocks); each status read goes through the client, i.e.
 * the idempotent-read retry preset. The wait never re-dispatches the task: if waiting fails, the task
 * may still be running on the node.
 *
 * <p>Outcome: {@code OK} and {@code WARNINGS: n} return a {@link TaskResult} (warnings carried);
 * anything else throws {@link TaskFailedException} with the last {@value #LOG_TAIL_LINES} log lines;
 * running past the timeout throws {@link PveTimeoutException}.
 *
 * <p>The poll loop is hand-written rather than a Failsafe policy because its clock and sleeper must
 * be injectable; Failsafe's delays use real time.
 */
public final class TaskWaiter {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final int LOG_TAIL_LINES = 20;

    private final PveClient client;
    private final Monotonic monotonic;
    private final Sleeper sleeper;
    private final Duration pollInterval;

    public TaskWaiter(PveClient client, Monotonic monotonic, Sleeper sleeper, Duration pollInterval) {
        this.client = Objects.requireNonNull(client, "client");
        this.monotonic = Objects.requireNonNull(monotonic, "monotonic");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        if (pollInterval == null || pollInterval.isNegative()) {
            throw new IllegalArgumentException("poll interval must be >= 0");
        }
        this.pollInterval = pollInterval;
    }

    /** Real monotonic clock, real sleep, 1 s polls. */
    public static TaskWaiter system(PveClient client) {
        return new TaskWaiter(client, Monotonic.SYSTEM, Sleeper.SYSTEM, DEFAULT_POLL_INTERVAL);
    }

    /**
     * Wait until the task stops or {@code timeout} passes.
     *
     * @throws TaskFailedException  the task ended with an error
     * @throws PveTimeoutException  still running after {@code timeout}
     */
    public TaskResult waitFor(Upid upid, Duration timeout) {
        Objects.requireNonNull(upid, "upid");
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0");
        }
        TasksApi tasks = client.node(upid.node()).tasks();
        long start = monotonic.nanoTime();
        long budget = timeout.toNanos();
        while (true) {
            TaskStatus status = tasks.status(upid);
            if (!status.running()) {
                return finish(tasks, upid, status);
            }
            long elapsed = monotonic.nanoTime() - start;
            if (elapsed >= budget) {
                throw new PveTimeoutException("waiting for task " + upid, "task " + upid.type() + " " + upid.id()
                        + " on " + upid.node() + " is still running; it keeps running on the node", timeout, true, null);
            }
            long sleepNanos = Math.min(pollInterval.toNanos(), budget - elapsed);
            try {
                sleeper.sleep(Duration.ofNanos(sleepNanos));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EnvironmentException("interrupted while waiting for task " + upid, e);
            }
        }
    }

    private TaskResult finish(TasksApi tasks, Upid upid, TaskStatus status) {
        String exit = status.exitStatus().orElse("unknown (task stopped without exit status)");
        if (status.succeeded()) {
            return new TaskResult(upid, exit, status.warnings());
        }
        throw new TaskFailedException(upid, exit, tail(tasks, upid));
    }

    private static List<String> tail(TasksApi tasks, Upid upid) {
        try {
            TaskLog page = tasks.log(upid, 0, 1000);
            if (page.total().isPresent() && page.total().getAsLong() > page.lines().size()) {
                long from = Math.max(0, page.total().getAsLong() - LOG_TAIL_LINES);
                page = tasks.log(upid, (int) Math.min(Integer.MAX_VALUE, from), LOG_TAIL_LINES);
            }
            List<String> lines = new ArrayList<>();
            for (TaskLog.Line l : page.lines()) {
                lines.add(l.text());
            }
            return lines.size() <= LOG_TAIL_LINES ? lines : lines.subList(lines.size() - LOG_TAIL_LINES, lines.size());
        } catch (RuntimeException e) {
            return List.of("(task log unavailable: " + e.getMessage() + ")");
        }
    }
}

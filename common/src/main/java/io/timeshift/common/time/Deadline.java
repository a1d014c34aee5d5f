package io.timeshift.common.time;

import java.time.Duration;

/** A point on the {@link Monotonic} time line; immutable and thread-safe. */
public final class Deadline {
    private final Monotonic monotonic;
    private final long deadlineNanos;

    private Deadline(Monotonic monotonic, long deadlineNanos) {
        this.monotonic = monotonic;
        this.deadlineNanos = deadlineNanos;
    }

    public static Deadline after(Monotonic monotonic, Duration timeout) {
        return new Deadline(monotonic, monotonic.nanoTime() + timeout.toNanos());
    }

    /** Time left, never negative. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - monotonic.nanoTime()));
    }

    public boolean expired() {
        return deadlineNanos - monotonic.nanoTime() <= 0;
    }

    /** Remaining milliseconds for socket APIs, at least 1 (0 would mean "no timeout" there). */
    public int remainingMillisForSocket(Duration cap) {
        long ms = Math.min(remaining().toMillis(), cap.toMillis());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }
}

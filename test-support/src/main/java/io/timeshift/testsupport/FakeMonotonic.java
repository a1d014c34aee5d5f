package io.timeshift.testsupport;

import io.timeshift.common.time.Monotonic;
import io.timeshift.common.time.Sleeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A monotonic clock that only moves when a test {@link #advance advances} it or the code under test
 * {@link #sleep sleeps} on it (every sleep is recorded in {@link #sleeps}). Starts far from zero to
 * catch code that treats the origin as meaningful. Thread-safe.
 */
public final class FakeMonotonic implements Monotonic, Sleeper {
    private final AtomicLong now = new AtomicLong(7_000_000_000_000L);
    /** The durations slept, in order. */
    public final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());

    @Override
    public long nanoTime() {
        return now.get();
    }

    public void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("monotonic time cannot go back: " + nanos);
        }
        now.addAndGet(nanos);
    }

    public void advance(Duration d) {
        advance(d.toNanos());
    }

    public long elapsedSince(long start) {
        return now.get() - start;
    }

    @Override
    public void sleep(Duration d) {
        sleeps.add(d);
        advance(Math.max(0, d.toNanos()));
    }
}

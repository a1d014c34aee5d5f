package io.timeshift.host.testing;

import io.timeshift.pve.time.Monotonic;

import java.util.concurrent.atomic.AtomicLong;

/** A monotonic clock that only moves when a fake waits. Starts far from zero to catch origin bugs. */
public final class FakeMonotonic implements Monotonic {
    private final AtomicLong now = new AtomicLong(7_000_000_000_000L);

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
}

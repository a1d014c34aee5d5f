package io.timeshift.pve.qga;

import io.timeshift.pve.time.Monotonic;

/** A monotonic clock that only moves when a fake "waits". Starts far from zero to catch origin bugs. */
final class FakeMonotonic implements Monotonic {
    private long now = 7_000_000_000_000L;

    @Override
    public long nanoTime() {
        return now;
    }

    void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time cannot go back: " + nanos);
        }
        now += nanos;
    }

    long elapsedSince(long start) {
        return now - start;
    }
}

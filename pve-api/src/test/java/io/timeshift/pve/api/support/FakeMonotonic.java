package io.timeshift.pve.api.support;

import io.timeshift.pve.api.tasks.Sleeper;
import io.timeshift.pve.time.Monotonic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A monotonic clock that only moves when the code under test "sleeps" on it. */
public final class FakeMonotonic implements Monotonic, Sleeper {
    private long nanos = 1_000_000_000L;
    public final List<Duration> sleeps = new ArrayList<>();

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public void sleep(Duration d) {
        sleeps.add(d);
        nanos += d.toNanos();
    }
}

package io.timeshift.pve.api.tasks;

import java.time.Duration;

/** Waits between polls; injected so tests never sleep. */
@FunctionalInterface
public interface Sleeper {
    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));

    void sleep(Duration duration) throws InterruptedException;
}

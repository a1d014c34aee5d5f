package io.timeshift.common.time;

import java.time.Duration;

/** Waits between polls and retries on the monotonic time line; injected so tests never sleep. */
@FunctionalInterface
public interface Sleeper {
    /** {@link Thread#sleep} (a named class, not a lambda: no lambda bootstrap on the hook path). */
    Sleeper SYSTEM = new ThreadSleeper();

    void sleep(Duration duration) throws InterruptedException;

    /** See {@link #SYSTEM}. */
    final class ThreadSleeper implements Sleeper {
        private ThreadSleeper() {
        }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            if (d.isNegative() || d.isZero()) {
                return;
            }
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        }
    }
}

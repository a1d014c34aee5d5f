package io.timeshift.common.time;

/**
 * A monotonic time source for timeouts and polls. This tool moves clocks, so no timeout may be
 * measured with the wall clock; inject this instead of calling {@link System#nanoTime()} directly so
 * tests can drive time.
 */
@FunctionalInterface
public interface Monotonic {
    /** {@link System#nanoTime()} (a named class, not a method reference: no lambda bootstrap on the hook path). */
    Monotonic SYSTEM = new SystemNanoTime();

    /** Nanoseconds from an arbitrary origin; only differences are meaningful. */
    long nanoTime();

    /** See {@link #SYSTEM}. */
    final class SystemNanoTime implements Monotonic {
        private SystemNanoTime() {
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    }
}

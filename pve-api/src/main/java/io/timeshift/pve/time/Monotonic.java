package io.timeshift.pve.time;

/**
 * A monotonic time source for timeouts and polls. This tool moves clocks, so no timeout may be
 * measured with the wall clock; inject this instead of calling {@link System#nanoTime()} directly so
 * tests can drive time.
 */
@FunctionalInterface
public interface Monotonic {
    Monotonic SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin; only differences are meaningful. */
    long nanoTime();
}

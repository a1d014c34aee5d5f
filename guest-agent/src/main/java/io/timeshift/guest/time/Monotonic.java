package io.timeshift.guest.time;

/**
 * A monotonic time source for timeouts. This tool runs in a VM whose wall clock is moved on
 * purpose, so no timeout may be measured with the wall clock.
 */
@FunctionalInterface
public interface Monotonic {
    Monotonic SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin; only differences are meaningful. */
    long nanoTime();
}

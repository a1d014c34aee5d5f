package io.timeshift.guest.sys;

import java.time.Duration;
import java.util.List;

/**
 * Runs an external command (argv, no shell) with a timeout. Injected so tests script systemctl,
 * hwclock and date. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface CommandRunner {
    /** Exit code used when the program cannot be started at all (not installed). */
    int NOT_FOUND = 127;

    /**
     * @return the result; a program that cannot be started yields exit {@link #NOT_FOUND}
     * @throws io.timeshift.common.error.EnvironmentException when the command does not end within {@code timeout}
     */
    CommandResult run(List<String> argv, Duration timeout);
}

package io.timeshift.common.error;

/** The environment is not usable (not a PVE host, VM not running, agent silent, permission, quorum): exit 3. */
public class EnvironmentException extends TimeShiftException {
    public EnvironmentException(String message) {
        super(message);
    }

    public EnvironmentException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public final int exitCode() {
        return ENVIRONMENT;
    }
}

package io.timeshift.guest.error;

/** The guest cannot do what was asked (no RTC, no permission, a command missing or failing): exit 3. */
public class EnvironmentException extends GuestException {
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

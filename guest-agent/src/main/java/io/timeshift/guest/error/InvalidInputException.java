package io.timeshift.guest.error;

/** Bad argument or unreadable policy file: exit 2. The message names the option/field and the valid form. */
public class InvalidInputException extends GuestException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public final int exitCode() {
        return INVALID_INPUT;
    }
}

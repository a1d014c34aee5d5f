package io.timeshift.common.error;

/** Bad arguments, policy, config or conf file: exit 2. The message names the file/field and the valid form. */
public class InvalidInputException extends TimeShiftException {
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

package io.timeshift.pve.api.error;

/** Small helpers for building one-line messages. */
final class ErrorText {
    private ErrorText() {
    }

    /** First non-blank line of {@code text}, trimmed; "" for null. */
    static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        for (String line : text.split("\\R")) {
            String t = line.strip();
            if (!t.isEmpty()) {
                return t;
            }
        }
        return "";
    }

    static String prefix(String operation) {
        return operation == null || operation.isEmpty() ? "" : operation + ": ";
    }
}

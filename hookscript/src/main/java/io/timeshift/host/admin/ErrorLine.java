package io.timeshift.host.admin;

/** An exception's message on one line, for messages that quote it. */
final class ErrorLine {
    private ErrorLine() {
    }

    /** The message with every run of whitespace (newlines too) as one space; the class name when there is none. */
    static String of(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ").strip();
    }
}

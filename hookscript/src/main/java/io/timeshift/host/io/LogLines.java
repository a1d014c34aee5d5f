package io.timeshift.host.io;

/**
 * Where a worker, a store or a hook phase writes its log: one line at a time. The implementation makes each
 * line safe ({@link PrintStreamLines}: one line, control characters escaped), so callers pass plain text.
 * On the hook path: implementations are named classes, never lambdas.
 */
public interface LogLines {
    /** Writes {@code text} as one line. */
    void line(String text);

    /** Drops every line (e.g. a store used by a command that reports through its result instead). */
    LogLines NONE = new Discard();

    /** The {@link #NONE} sink. */
    final class Discard implements LogLines {
        private Discard() {
        }

        @Override
        public void line(String text) {
            // nothing
        }
    }
}

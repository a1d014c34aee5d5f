package io.timeshift.pve.qga;

/**
 * The outcome of {@link QgaClient#run}: a guest command that has exited.
 *
 * @param exitCode the exit code; {@code -1} when the process was killed by a signal (see {@code signal})
 * @param signal   the signal that killed it, or {@code null}
 * @param out      stdout, UTF-8 decoded (malformed bytes become U+FFFD)
 * @param err      stderr, UTF-8 decoded
 */
public record ExecResult(int exitCode, Integer signal, String out, String err) {
    /** Exited normally with code 0. */
    public boolean ok() {
        return exitCode == 0 && signal == null;
    }
}

package io.timeshift.host.hook;

/**
 * What a hook phase decided: the exit code Proxmox sees, and the worker to start detached once the
 * hook is gone (null: none). A plain class, not a record: a record's equals/toString bootstrap through
 * invokedynamic, which the hook path avoids.
 */
public final class Outcome {
    /** Done, nothing left behind. */
    public static final Outcome OK = new Outcome(0, null);

    private final int exitCode;
    private final Detach detach;

    private Outcome(int exitCode, Detach detach) {
        this.exitCode = exitCode;
        this.detach = detach;
    }

    /** The phase ends with this exit code and leaves nothing behind. */
    public static Outcome exit(int exitCode) {
        return exitCode == 0 ? OK : new Outcome(exitCode, null);
    }

    /** The phase succeeded and leaves {@code worker} for the launcher to start. */
    public static Outcome detach(Detach worker) {
        return new Outcome(0, worker);
    }

    /** The phase's own exit code (0, or the code that refuses a pre-start). */
    public int exitCode() {
        return exitCode;
    }

    /** The worker to start after the hook exits, or null. */
    public Detach detach() {
        return detach;
    }

    /** The hook JVM's exit code: the worker's {@link Detach#exitCode()} when one is left, else {@link #exitCode()}. */
    public int processExitCode() {
        return exitCode == 0 && detach != null ? detach.exitCode() : exitCode;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + (detach == null ? "" : ", detach " + detach);
    }
}

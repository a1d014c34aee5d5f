package io.timeshift.host.admin;

import io.timeshift.pve.api.error.PveConflictException;
import io.timeshift.common.error.CheckFailedException;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Undoes the changes a command made before it failed, newest first, and turns the failure into one line
 * that says what happened, that it was undone, and what to run by hand for any step that could not be.
 * The exit code stays that of the original failure (2 for a value PVE refused, 3 otherwise). What was
 * undone is returned as data ({@link Failed#rolledBack()}); the CLI shows it before the failure's line.
 */
public final class Rollback {
    private Rollback() {
    }

    /**
     * A change that failed and was undone (as far as possible): the steps rolled back, in the order they
     * were undone, and the one-line failure the command exits with. Not a {@link TimeShiftException}
     * itself: whoever catches it shows {@link #rolledBack()} and then throws {@link #error()}.
     */
    public static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final transient List<String> rolledBack;
        private final TimeShiftException error;

        Failed(List<String> rolledBack, TimeShiftException error) {
            super(error.getMessage(), error, false, false);
            this.rolledBack = List.copyOf(rolledBack);
            this.error = error;
        }

        /** What each undone step did ("remove the new policy /etc/pve/time-shift/105.json"), newest change first. */
        public List<String> rolledBack() {
            return rolledBack;
        }

        /** The failure, its message ending in what the rollback did (or could not do), with the original exit code. */
        public TimeShiftException error() {
            return error;
        }
    }

    /** Runs every step of {@code undo} (newest first) after {@code cause}; returns what to throw. */
    static Failed run(int vmid, Deque<EnableService.Undo> undo, RuntimeException cause) {
        return run(vmid, undo, cause, null);
    }

    /**
     * {@link #run(int, Deque, RuntimeException)} after a change that no undo step covers was made first
     * ({@code madeBefore}: what stays changed and what to run, or null): the message then says so instead of
     * "nothing was changed".
     */
    static Failed run(int vmid, Deque<EnableService.Undo> undo, RuntimeException cause, String madeBefore) {
        List<String> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        while (!undo.isEmpty()) {
            EnableService.Undo u = undo.pop();
            try {
                u.action().run();
                done.add(u.what());
            } catch (RuntimeException e) {
                failed.add("could not " + u.what() + " (" + e.getMessage() + "); fix: " + u.manualFix());
            }
        }
        String tail;
        if (failed.isEmpty()) {
            tail = madeBefore == null ? "; rolled back, nothing was changed" : "; rolled back what could be, but " + madeBefore;
        } else {
            tail = "; ROLLBACK INCOMPLETE: " + String.join("; ", failed) + (madeBefore == null ? "" : "; and " + madeBefore);
        }
        String msg;
        if (cause instanceof PveConflictException c && c.reason() == PveConflictException.Reason.DIGEST_MISMATCH) {
            msg = "VM " + vmid + " config changed meanwhile (someone edited it after it was read)" + tail
                    + (madeBefore == null ? "; run again" : ""); // madeBefore names the command already
        } else {
            msg = cause.getMessage() + tail;
        }
        TimeShiftException error;
        if (cause instanceof InvalidInputException) {
            error = new InvalidInputException(msg, cause);
        } else if (cause instanceof CheckFailedException) {
            error = new CheckFailedException(msg);
        } else {
            error = new EnvironmentException(msg, cause);
        }
        return new Failed(done, error);
    }
}

package io.timeshift.host.admin;

import io.timeshift.pve.api.error.PveConflictException;
import io.timeshift.common.error.CheckFailedException;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Undoes the changes a command made before it failed, newest first, and turns the failure into one line
 * that says what happened, that it was undone, and what to run by hand for any step that could not be.
 * The exit code stays that of the original failure (2 for a value PVE refused, 3 otherwise).
 */
final class Rollback {
    private Rollback() {
    }

    static TimeShiftException run(int vmid, Deque<EnableService.Undo> undo, RuntimeException cause, PrintWriter out) {
        TimeShiftException e = run(vmid, undo, cause, new Progress() {
            @Override
            public void rolledBack(String what) {
                out.println("rolled back: " + what);
            }
        });
        out.flush();
        return e;
    }

    /** {@link #run(int, Deque, RuntimeException, PrintWriter)} telling {@code progress} each step undone. */
    static TimeShiftException run(int vmid, Deque<EnableService.Undo> undo, RuntimeException cause, Progress progress) {
        List<String> failed = new ArrayList<>();
        while (!undo.isEmpty()) {
            EnableService.Undo u = undo.pop();
            try {
                u.action().run();
                progress.rolledBack(u.what());
            } catch (RuntimeException e) {
                failed.add("could not " + u.what() + " (" + e.getMessage() + "); fix: " + u.manualFix());
            }
        }
        String tail = failed.isEmpty() ? "; rolled back, nothing was changed"
                : "; ROLLBACK INCOMPLETE: " + String.join("; ", failed);
        String msg;
        if (cause instanceof PveConflictException c && c.reason() == PveConflictException.Reason.DIGEST_MISMATCH) {
            msg = "VM " + vmid + " config changed meanwhile (someone edited it after it was read)" + tail + "; run again";
        } else {
            msg = cause.getMessage() + tail;
        }
        if (cause instanceof InvalidInputException) {
            return new InvalidInputException(msg, cause);
        }
        if (cause instanceof CheckFailedException) {
            return new CheckFailedException(msg);
        }
        return new EnvironmentException(msg, cause);
    }
}

package io.timeshift.host.cli;

import io.timeshift.common.error.TimeShiftException;
import io.timeshift.host.admin.Rollback;

import java.io.PrintWriter;

/** A change that failed and was undone: one {@code rolled back: <step>} line per step undone, before the failure's line on stderr. */
final class RollbackRenderer {
    private RollbackRenderer() {
    }

    /** Prints what was rolled back; returns the failure to throw (its exit code and one line). */
    static TimeShiftException shown(Rollback.Failed failed, PrintWriter out) {
        for (String step : failed.rolledBack()) {
            out.println("rolled back: " + step);
        }
        out.flush();
        return failed.error();
    }
}

package io.timeshift.host.admin;

import io.timeshift.common.error.TimeShiftException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What {@code time-shift doctor} found: every check (ok, or the problem and its fix), the notes and the
 * warnings that never fail it, and where it looked ({@code node} on a node, {@code remote} through the API).
 * Rendered by the CLI.
 */
public record DoctorReport(String node, String remote, List<DoctorService.Check> checks, List<String> notes,
                           List<String> warnings) {
    public DoctorReport {
        checks = Collections.unmodifiableList(new ArrayList<>(checks));
        notes = Collections.unmodifiableList(new ArrayList<>(notes));
        warnings = Collections.unmodifiableList(new ArrayList<>(warnings));
    }

    /** The checks that failed. */
    public long problems() {
        long n = 0;
        for (DoctorService.Check c : checks) {
            if (!c.ok()) {
                n++;
            }
        }
        return n;
    }

    /** 0, or 1 (check failed) when any check failed; notes and warnings never count. */
    public int exitCode() {
        return problems() == 0 ? 0 : TimeShiftException.CHECK_FAILED;
    }
}

package io.timeshift.host.admin;

import io.timeshift.host.finding.Finding;
import io.timeshift.common.error.TimeShiftException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code time-shift verify} found for one VM: the header line, the measured values (the JSON's
 * fields, in order: vmid, policy, guestTime, expectedTime, driftMs, ...), what is fine, the notes and the
 * findings. Rendered by the CLI.
 */
public record VerifyReport(int vmid, String header, Map<String, Object> fields, List<String> oks, List<String> notes,
                           List<Finding> findings) {
    public VerifyReport {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        oks = Collections.unmodifiableList(new ArrayList<>(oks));
        notes = Collections.unmodifiableList(new ArrayList<>(notes));
        findings = Collections.unmodifiableList(new ArrayList<>(findings));
    }

    /** No finding. */
    public boolean ok() {
        return findings.isEmpty();
    }

    /** 0, or 1 (check failed) with any finding. */
    public int exitCode() {
        return ok() ? 0 : TimeShiftException.CHECK_FAILED;
    }
}

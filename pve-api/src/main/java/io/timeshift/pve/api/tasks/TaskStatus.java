package io.timeshift.pve.api.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /nodes/{node}/tasks/{upid}/status} (pve-manager {@code API2/Tasks.pm}).
 *
 * @param upid       the task
 * @param status     {@code running} or {@code stopped}
 * @param exitStatus when stopped: {@code OK}, {@code WARNINGS: n}, or the error text
 *                   ({@code PVE::UPID::read_status})
 */
public record TaskStatus(Upid upid, String status, Optional<String> exitStatus) {
    private static final Pattern WARNINGS = Pattern.compile("^WARNINGS: (\\d+)$");

    public static TaskStatus from(Upid upid, JsonNode data, String operation) {
        JsonNode obj = PveJson.object(data, operation);
        return new TaskStatus(upid, PveJson.requireText(obj, "status", operation), PveJson.optText(obj, "exitstatus"));
    }

    public boolean running() {
        return "running".equals(status);
    }

    /**
     * Finished without error: {@code OK} or {@code WARNINGS: n} ({@code PVE::UPID::status_is_error}
     * treats both as success).
     */
    public boolean succeeded() {
        return !running() && exitStatus.map(s -> s.equals("OK") || WARNINGS.matcher(s).matches()).orElse(false);
    }

    /** The n of {@code WARNINGS: n}, else 0. */
    public int warnings() {
        return exitStatus.map(WARNINGS::matcher).filter(Matcher::matches).map(m -> Integer.parseInt(m.group(1))).orElse(0);
    }
}

package io.timeshift.pve.api.tasks;

import java.util.List;
import java.util.OptionalLong;

/**
 * A page of {@code GET /nodes/{node}/tasks/{upid}/log?start=&limit=}: lines {@code [{n, t}]}, and
 * the total line count when the transport saw the envelope's {@code total} (HTTPS; pvesh prints none).
 *
 * @param lines the page
 * @param total total number of lines, if known
 */
public record TaskLog(List<Line> lines, OptionalLong total) {
    public TaskLog {
        lines = List.copyOf(lines);
    }

    /** One log line: {@code n} is 1-based. */
    public record Line(long n, String text) {
    }
}

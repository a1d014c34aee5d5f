package io.timeshift.pve.api.tasks;

/**
 * A task that finished without error.
 *
 * @param upid       the task
 * @param exitStatus {@code OK} or {@code WARNINGS: n}
 * @param warnings   the n of {@code WARNINGS: n}; 0 for OK
 */
public record TaskResult(Upid upid, String exitStatus, int warnings) {
    public boolean hadWarnings() {
        return warnings > 0;
    }
}

package io.timeshift.pve.api.tasks;

import io.timeshift.common.error.EnvironmentException;
import java.util.List;

/**
 * A PVE task ended with an error exit status (e.g.
 * {@code hookscript error for 105 on pre-start: command '...' failed: exit code 1}). Carries the last
 * lines of the task log for diagnosis. Exit 3.
 */
public class TaskFailedException extends EnvironmentException {
    private final Upid upid;
    private final String exitStatus;
    private final List<String> logTail;

    public TaskFailedException(Upid upid, String exitStatus, List<String> logTail) {
        super("task " + upid.type() + (upid.id().isEmpty() ? "" : " " + upid.id()) + " on " + upid.node()
                + " failed: " + exitStatus.strip().replaceAll("\\s+", " ") + " (" + upid + "; see its log in the GUI or"
                + " with pvenode task log " + upid.node() + " " + upid + ")");
        this.upid = upid;
        this.exitStatus = exitStatus;
        this.logTail = List.copyOf(logTail);
    }

    public Upid upid() {
        return upid;
    }

    public String exitStatus() {
        return exitStatus;
    }

    /** The last lines of the task log (up to {@link TaskWaiter#LOG_TAIL_LINES}), oldest first. */
    public List<String> logTail() {
        return logTail;
    }
}

package io.timeshift.guest.plan;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * Result of {@code time-shift-guest plan}; field names per contract: {@code window} (the
 * intersection, or null), {@code suggested}, {@code targets} (per-target window), {@code conflicts}.
 */
@JsonPropertyOrder({"window", "suggested", "targets", "conflicts"})
public record PlanReport(Window window, String suggested, List<TargetWindow> targets, List<Conflict> conflicts) {

    /** A closed interval of instants, ISO-8601 UTC. */
    @JsonPropertyOrder({"notBefore", "notAfter"})
    public record Window(String notBefore, String notAfter) {
    }

    /** {@code window} is the intersection of the target's chain; null when it has none or the target could not be probed ({@code error}). */
    @JsonPropertyOrder({"target", "window", "error"})
    public record TargetWindow(String target, Window window, String error) {
    }

    /** Targets that cannot share one date (one entry when a target's own chain has no window). */
    @JsonPropertyOrder({"targets", "reason"})
    public record Conflict(List<String> targets, String reason) {
    }

    public boolean hasWindow() {
        return window != null;
    }

    public boolean anyUnreachable() {
        return targets.stream().anyMatch(t -> t.error() != null);
    }
}

package io.timeshift.guest.clock;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.timeshift.guest.Finding;
import java.util.List;

/**
 * Result of {@code time-shift-guest verify}; serialized as-is for {@code --json}. {@code ok} is
 * false when {@code findings} is not empty (exit 1). {@code notes} are facts that need no action.
 */
@JsonPropertyOrder({"ok", "now", "expected", "expectedSource", "driftMs", "tolerance", "inTolerance",
        "timeSync", "systemdEpoch", "findings", "notes"})
public record VerifyReport(
        boolean ok, String now, String expected, String expectedSource, Long driftMs, String tolerance,
        Boolean inTolerance, TimeSync timeSync, Epoch systemdEpoch, List<Finding> findings, List<String> notes) {

    /** {@code policy} is {@code disable} or {@code keep}; {@code couldPullBack} null when systemd could not be asked. */
    @JsonPropertyOrder({"policy", "units", "couldPullBack", "error"})
    public record TimeSync(String policy, List<Unit> units, Boolean couldPullBack, String error) {
    }

    @JsonPropertyOrder({"unit", "active", "enabled"})
    public record Unit(String unit, boolean active, boolean enabled) {
    }

    /** {@code epoch} is where systemd would advance the clock at next boot ({@code source} names the file). */
    @JsonPropertyOrder({"epoch", "source", "bumpAtNextBoot", "holdUnitEnabled"})
    public record Epoch(String epoch, String source, boolean bumpAtNextBoot, Boolean holdUnitEnabled) {
    }
}

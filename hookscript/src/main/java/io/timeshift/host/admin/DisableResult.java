package io.timeshift.host.admin;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link DisableService#disable} did to VM {@code vmid}: the isolation it undid in the firewall
 * ({@code firewallRestored}, null when the VM was not isolated), the config update ({@code config}: key to new value,
 * null = deleted; empty when there was none), whether the policy was removed, what happened in the
 * guest, and warnings (the change stands, something around it did not work).
 */
public record DisableResult(int vmid, Isolation.Restored firewallRestored, Map<String, String> config, boolean policyRemoved,
                            boolean running, Guest guest, List<String> units, List<String> warnings) {
    public DisableResult {
        units = List.copyOf(units);
        warnings = List.copyOf(warnings);
    }

    public boolean configRestored() {
        return !config.isEmpty();
    }

    /** The guest side of disable. */
    public sealed interface Guest permits Reset, ResetFailed, Kept, Stopped {
    }

    /**
     * The guest of a running VM was reset through the agent: its copy of the policy ({@code policyCopy},
     * empty for Windows, which has none), its time sync ({@code timeSync}, {@code TimeSyncManager}'s
     * summary), its clock read back after setting it ({@code clock}, off by {@code offsetNanos}) and an RTC
     * it could not write ({@code rtcProblem}, or null).
     */
    public record Reset(String policyCopy, String timeSync, Instant clock, long offsetNanos, String rtcProblem) implements Guest {
        /** All of it in one sentence, as the audit log records it. */
        public String summary() {
            return (policyCopy.isEmpty() ? "" : policyCopy + "; ") + timeSync + "; guest clock back to real time ("
                    + io.timeshift.common.time.Instants.iso(clock) + ", off by "
                    + String.format(Locale.ROOT, "%.1f", offsetNanos / 1e6) + " ms)"
                    + (rtcProblem == null ? "" : "; the guest could not write its RTC (" + rtcProblem + ")");
        }
    }

    /** The guest of a running VM could not be reset ({@code reason}); the config side is done. */
    public record ResetFailed(String reason) implements Guest {
    }

    /** {@code --keep-clock}: the running guest was left as it is. */
    public record Kept() implements Guest {
    }

    /** The VM is stopped: its guest was not touched. */
    public record Stopped() implements Guest {
    }

    /** An orphan policy (of a VM that no longer exists) was removed. */
    public record OrphanRemoved(int vmid, Path policyFile, List<String> warnings) {
        public OrphanRemoved {
            warnings = List.copyOf(warnings);
        }
    }
}

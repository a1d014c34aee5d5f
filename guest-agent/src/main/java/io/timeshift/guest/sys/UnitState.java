package io.timeshift.guest.sys;

import java.util.Set;

/**
 * One systemd unit as {@code systemctl show} reports it. {@code loadState} {@code not-found} means
 * the unit is not installed.
 */
public record UnitState(String unit, String id, String loadState, String activeState, String unitFileState) {
    private static final Set<String> STARTS_AT_BOOT =
            Set.of("enabled", "enabled-runtime", "linked", "linked-runtime", "alias", "generated", "indirect");

    public boolean installed() {
        return !"not-found".equals(loadState) && !loadState.isEmpty();
    }

    /** Running now, or about to be. */
    public boolean active() {
        return "active".equals(activeState) || "activating".equals(activeState) || "reloading".equals(activeState);
    }

    /** Will be started at the next boot. */
    public boolean enabled() {
        return STARTS_AT_BOOT.contains(unitFileState);
    }
}

package io.timeshift.common.timesync;

import java.util.ArrayList;
import java.util.List;

/**
 * The output of {@code systemctl show --property=Id,LoadState,ActiveState,UnitFileState <unit>...} run
 * in a guest (through {@code guest-exec}, argv array, never a shell): one block of {@code Key=value}
 * lines per unit named, also for units that do not exist ({@code LoadState=not-found}), unlike
 * {@code is-enabled}, which only complains on stderr for those. Blocks are separated by a blank line;
 * a new {@code Id=} line also starts one (some systemd versions, and our fakes, leave the blank line out).
 *
 * <p>One parser for everything that looks at a guest's time sync units: the host (verify, the apply
 * worker, through {@code guest-exec}) and the guest package ({@code time-shift-guest verify/hold}).
 * Note that an alias prints its target's {@code Id} (on Debian {@code chronyd.service} shows
 * {@code Id=chrony.service}), so the same id can come twice: callers that report per unit should
 * de-duplicate.
 */
public final class SystemctlShow {
    /** The properties {@link #parse} reads. */
    public static final String PROPERTIES = "--property=Id,LoadState,ActiveState,UnitFileState";

    /**
     * One unit's block.
     *
     * @param id            {@code Id=}, never null
     * @param loadState     {@code LoadState=} ({@code loaded}, {@code not-found}, {@code masked}, ...), or null when absent
     * @param activeState   {@code ActiveState=} ({@code active}, {@code inactive}, {@code activating}, ...), or null
     * @param unitFileState {@code UnitFileState=} ({@code enabled}, {@code enabled-runtime}, {@code disabled},
     *                      {@code masked}, {@code ""} for not-found units, ...), or null
     */
    public record Unit(String id, String loadState, String activeState, String unitFileState) {
        /** Unit file states that start the unit at the next boot (systemctl(1) is-enabled). */
        private static final List<String> STARTS_AT_BOOT =
                List.of("enabled", "enabled-runtime", "linked", "linked-runtime", "alias", "generated", "indirect");

        /** Running, starting or reloading: it can move the clock now. */
        public boolean active() {
            return "active".equals(activeState) || "activating".equals(activeState) || "reloading".equals(activeState);
        }

        /** It starts at the next boot ({@code enabled}, {@code enabled-runtime}, {@code linked}, ...). */
        public boolean enabled() {
            return unitFileState != null && STARTS_AT_BOOT.contains(unitFileState);
        }

        /** False for {@code LoadState=not-found} (or empty): the unit is not installed. */
        public boolean found() {
            return !"not-found".equals(loadState) && !"".equals(loadState);
        }
    }

    private SystemctlShow() {
    }

    /** The argv after {@code systemctl}: {@code show --property=... <units>}. */
    public static List<String> args(List<String> units) {
        List<String> a = new ArrayList<>(units.size() + 2);
        a.add("show");
        a.add(PROPERTIES);
        a.addAll(units);
        return a;
    }

    /** The units in the order printed; blocks without an {@code Id=} are left out (empty for output without any). */
    public static List<Unit> parse(String out) {
        List<Unit> units = new ArrayList<>();
        if (out == null || out.isEmpty()) {
            return units;
        }
        String id = null;
        String load = null;
        String active = null;
        String file = null;
        boolean inBlock = false;
        for (String raw : out.split("\n", -1)) {
            String line = raw.strip();
            boolean newId = line.startsWith("Id=");
            if ((line.isEmpty() || newId) && id != null) {
                units.add(new Unit(id, load, active, file));
                id = null;
                load = null;
                active = null;
                file = null;
                inBlock = false;
            } else if (line.isEmpty() && inBlock) {
                // a block without Id=: dropped
                load = null;
                active = null;
                file = null;
                inBlock = false;
            }
            if (line.isEmpty()) {
                continue;
            }
            inBlock = true;
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1).strip();
            switch (key) {
                case "Id" -> id = value;
                case "LoadState" -> load = value;
                case "ActiveState" -> active = value;
                case "UnitFileState" -> file = value;
                default -> {
                    // other properties: not ours to read
                }
            }
        }
        if (id != null) {
            units.add(new Unit(id, load, active, file));
        }
        return units;
    }
}

package io.timeshift.host.policy;

import java.util.Locale;

/** How the guest clock relates to real time (contract "Modes"). */
public enum Mode {
    /** Every start, the guest clock begins at {@code date} and runs. */
    FIXED,
    /** Guest clock = real time + {@code offset}, always. */
    OFFSET,
    /** First start at {@code date}; later starts resume from the guest time recorded at the last stop. */
    CONTINUE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Mode parse(String s) {
        for (Mode m : values()) {
            if (m.id().equals(s)) {
                return m;
            }
        }
        return null;
    }
}

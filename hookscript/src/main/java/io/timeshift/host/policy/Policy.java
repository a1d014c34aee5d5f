package io.timeshift.host.policy;

import io.timeshift.common.time.Durations;
import io.timeshift.common.time.Instants;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VM's clock policy, {@code /etc/pve/time-shift/<vmid>.json}. Immutable and already validated: build
 * it through {@link PolicyParser} (files) or the canonical constructor (enable), which checks the same
 * invariants.
 *
 * @param date     start date for {@link Mode#FIXED} and the first start of {@link Mode#CONTINUE}; null for offset
 * @param offset   guest − real time for {@link Mode#OFFSET}; null otherwise
 * @param chain    a hookscript volume that was attached before us and runs first for every phase, or null
 * @param original what {@code enable} replaced in the VM config, restored by {@code disable}
 * @param guestZone the guest's time zone for a guest whose RTC runs in local time (Windows, {@code localtime: 1}):
 *                 an IANA id ({@code Asia/Karachi}) or a fixed offset ({@code +05:00}); JSON field
 *                 {@code guestZone}, written by {@code enable --guest-zone}; null when unknown
 *                 (docs/pve-rtc.md)
 */
public record Policy(int vmid, Mode mode, Instant date, Duration offset, Duration tolerance, boolean keepTimeSync,
                     boolean abortOnError, List<String> targets, String chain, Original original, String guestZone) {

    /** A policy without a guest zone. */
    public Policy(int vmid, Mode mode, Instant date, Duration offset, Duration tolerance, boolean keepTimeSync,
                  boolean abortOnError, List<String> targets, String chain, Original original) {
        this(vmid, mode, date, offset, tolerance, keepTimeSync, abortOnError, targets, chain, original, null);
    }

    /** The same policy with another guest zone. */
    public Policy withGuestZone(String zone) {
        return new Policy(vmid, mode, date, offset, tolerance, keepTimeSync, abortOnError, targets, chain, original, zone);
    }

    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(2);

    /**
     * Config values {@code enable} replaced; null means the key was absent. {@code firewall}: what
     * isolation changed in the VM's firewall and NICs (a JSON object, see {@code admin.Isolation}, read by {@link IsolationRecord}), or
     * null when the VM is not isolated.
     */
    public record Original(String startdate, String hookscript, String agent, Map<String, Object> firewall) {
        public static final Original NONE = new Original(null, null, null);

        public Original(String startdate, String hookscript, String agent) {
            this(startdate, hookscript, agent, null);
        }

        /** The same values with {@code firewall} replaced. */
        public Original withFirewall(Map<String, Object> fw) {
            return new Original(startdate, hookscript, agent, fw);
        }
    }

    public Policy {
        if (mode == null) {
            throw new IllegalArgumentException("mode");
        }
        if ((mode == Mode.OFFSET) != (offset != null) || (mode == Mode.OFFSET) == (date != null)) {
            throw new IllegalArgumentException("mode " + mode.id() + " needs " + (mode == Mode.OFFSET ? "offset only" : "date only"));
        }
        targets = List.copyOf(targets == null ? List.of() : targets);
        tolerance = tolerance == null ? DEFAULT_TOLERANCE : tolerance;
        original = original == null ? Original.NONE : original;
    }

    /** The JSON document as the contract shows it (field order kept stable for diffs). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", 1);
        m.put("vmid", vmid);
        m.put("mode", mode.id());
        m.put("date", date == null ? null : Instants.iso(date));
        m.put("offset", offset == null ? null : Durations.format(offset));
        m.put("tolerance", Durations.format(tolerance));
        m.put("timeSync", keepTimeSync ? "keep" : "disable");
        m.put("onError", abortOnError ? "abort" : "warn");
        m.put("targets", new ArrayList<>(targets));
        if (chain != null) {
            m.put("chain", chain);
        }
        if (guestZone != null) {
            m.put("guestZone", guestZone);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("startdate", original.startdate());
        o.put("hookscript", original.hookscript());
        o.put("agent", original.agent());
        if (original.firewall() != null) {
            o.put("firewall", original.firewall());
        }
        m.put("original", o);
        return m;
    }

    /** This policy with {@code original} replaced (isolation records what it changed there). */
    public Policy withOriginal(Original o) {
        return new Policy(vmid, mode, date, offset, tolerance, keepTimeSync, abortOnError, targets, chain, o);
    }

    /** One-line summary for logs and the Notes line: "fixed 2021-03-01T12:00:00Z". */
    public String summary() {
        return switch (mode) {
            case FIXED, CONTINUE -> mode.id() + " " + Instants.iso(date);
            case OFFSET -> mode.id() + " " + Durations.format(offset);
        };
    }
}

package io.timeshift.common.timesync;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The units that can pull a Linux guest's clock back to real time: what the host's apply and the guest's hold turn off. */
public final class TimeSyncUnits {
    /** chrony ships {@code chronyd.service} as an alias of {@code chrony.service} on Debian; both names exist across distributions. */
    public static final List<String> LINUX = List.of(
            "systemd-timesyncd.service", "chrony.service", "chronyd.service", "ntp.service",
            "ntpsec.service", "openntpd.service", "ntpd.service");

    private TimeSyncUnits() {
    }

    /** The installed time sync units among {@code shown}, each once (an alias prints its target's Id), in order. */
    public static List<SystemctlShow.Unit> installed(List<SystemctlShow.Unit> shown) {
        List<SystemctlShow.Unit> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (SystemctlShow.Unit u : shown) {
            if (LINUX.contains(u.id()) && u.found() && seen.add(u.id())) {
                out.add(u);
            }
        }
        return out;
    }
}

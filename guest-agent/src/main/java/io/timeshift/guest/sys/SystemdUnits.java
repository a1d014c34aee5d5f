package io.timeshift.guest.sys;

import io.timeshift.common.error.EnvironmentException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads unit states with one {@code systemctl show --property=... unit...} call instead of an
 * {@code is-active} plus {@code is-enabled} call per unit (14 processes for the 7 time-sync units):
 * {@code show} prints one block per argument, in argument order, and reports
 * {@code LoadState=not-found} for units that are not installed instead of failing.
 */
public final class SystemdUnits {
    /** Everything that can pull a guest's clock back to real time. chrony ships {@code chronyd} as an alias. */
    public static final List<String> TIME_SYNC_UNITS = List.of(
            "systemd-timesyncd.service", "chrony.service", "chronyd.service", "ntp.service",
            "ntpsec.service", "openntpd.service", "ntpd.service");
    public static final String HOLD_UNIT = "time-shift-guest-hold.service";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final CommandRunner runner;

    public SystemdUnits(CommandRunner runner) {
        this.runner = runner;
    }

    /** @throws EnvironmentException when systemctl is missing, times out or fails (e.g. PID 1 is not systemd) */
    public List<UnitState> show(List<String> units) {
        List<String> argv = new ArrayList<>(List.of(
                "systemctl", "show", "--property=Id,LoadState,ActiveState,UnitFileState", "--"));
        argv.addAll(units);
        CommandResult r = runner.run(argv, TIMEOUT);
        if (!r.ok()) {
            throw new EnvironmentException("systemctl show: " + r.firstErrorLine());
        }
        List<Map<String, String>> blocks = new ArrayList<>();
        Map<String, String> current = new HashMap<>();
        for (String line : (r.stdout() + "\n").split("\n", -1)) {
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    blocks.add(current);
                    current = new HashMap<>();
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq > 0) {
                current.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        if (blocks.size() != units.size()) {
            throw new EnvironmentException("systemctl show: expected " + units.size() + " unit blocks, got " + blocks.size());
        }
        List<UnitState> states = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            Map<String, String> b = blocks.get(i);
            states.add(new UnitState(units.get(i), b.getOrDefault("Id", units.get(i)), b.getOrDefault("LoadState", ""),
                    b.getOrDefault("ActiveState", ""), b.getOrDefault("UnitFileState", "")));
        }
        return states;
    }

    /** Installed time-sync units, aliases folded into the unit they name. */
    public static List<UnitState> installedTimeSync(List<UnitState> states) {
        List<UnitState> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (UnitState s : states) {
            if (TIME_SYNC_UNITS.contains(s.unit()) && s.installed() && !seen.contains(s.id())) {
                seen.add(s.id());
                out.add(s);
            }
        }
        return out;
    }

    /** Runs {@code systemctl <args>}; returns null on success, else the one-line error. */
    public String control(List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add("systemctl");
        argv.addAll(args);
        CommandResult r;
        try {
            r = runner.run(argv, TIMEOUT);
        } catch (EnvironmentException e) {
            return String.join(" ", argv) + ": " + e.getMessage(); // timed out: report it, let the caller go on
        }
        return r.ok() ? null : String.join(" ", argv) + ": " + r.firstErrorLine();
    }
}

package io.timeshift.guest.sys;

import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.timesync.SystemctlShow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads unit states with one {@code systemctl show --property=... unit...} call instead of an
 * {@code is-active} plus {@code is-enabled} call per unit (14 processes for the 7 time-sync units):
 * {@code show} prints one block per argument, in argument order, and reports
 * {@code LoadState=not-found} for units that are not installed instead of failing.
 */
public final class SystemdUnits {
    public static final String HOLD_UNIT = "time-shift-guest-hold.service";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final CommandRunner runner;

    public SystemdUnits(CommandRunner runner) {
        this.runner = runner;
    }

    /**
     * One block per unit asked for, in that order (common's parser, the host's too).
     *
     * @throws EnvironmentException when systemctl is missing, times out or fails (e.g. PID 1 is not systemd)
     */
    public List<SystemctlShow.Unit> show(List<String> units) {
        List<String> argv = new ArrayList<>();
        argv.add("systemctl");
        argv.addAll(SystemctlShow.args(units));
        CommandResult r = runner.run(argv, TIMEOUT);
        if (!r.ok()) {
            throw new EnvironmentException("systemctl show: " + r.firstErrorLine());
        }
        List<SystemctlShow.Unit> states = SystemctlShow.parse(r.stdout());
        if (states.size() != units.size()) {
            throw new EnvironmentException("systemctl show: expected " + units.size() + " unit blocks, got " + states.size());
        }
        return states;
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

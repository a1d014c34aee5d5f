package io.timeshift.host.apply;

import io.timeshift.common.text.Sanitizer;

import io.timeshift.common.timesync.SystemctlShow;
import io.timeshift.common.timesync.TimeSyncUnits;
import io.timeshift.pve.qga.AgentErrorException;
import io.timeshift.pve.qga.ExecResult;
import io.timeshift.pve.qga.OsInfo;
import io.timeshift.pve.qga.QgaClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and turns off the guest's time synchronisation, which would otherwise pull a shifted clock back
 * to real time. Linux: systemd units of timesyncd, chrony, ntpd/ntpsec and OpenNTPD, through
 * {@code guest-exec} of {@code systemctl} with an argv array (never a shell). Windows: the w32time
 * service through {@code sc.exe}. Everything it finds and does is reported.
 */
public final class TimeSyncManager {
    /**
     * {@code systemctl disable --now} reloads systemd: on a Debian 12 guest under TCG on a loaded host
     * that took more than 20 s (jumpvm module's end-to-end test), so allow 90 s.
     */
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(90);

    /**
     * What was found and done: units that were active or enabled (for {@link #enable}: the units asked
     * for), which we turned off, which we turned back on, and a one-line summary.
     */
    public record Report(List<String> found, List<String> disabled, List<String> enabled, String summary) {
        /** A report of {@link #disable}: nothing turned on. */
        public Report(List<String> found, List<String> disabled, String summary) {
            this(found, disabled, List.of(), summary);
        }
    }

    /**
     * What {@code systemctl show} says about the {@link TimeSyncUnits#LINUX}: each installed one once (an alias
     * such as {@code chronyd.service} prints its target's Id), in the order printed.
     *
     * @param units  the installed time sync units
     * @param listed whether systemctl printed any unit at all (false: its output is not usable)
     * @param exec   the {@code systemctl show} run, for its exit code and stderr
     */
    public record Scan(List<SystemctlShow.Unit> units, boolean listed, ExecResult exec) {
    }

    private final QgaClient agent;

    public TimeSyncManager(QgaClient agent) {
        this.agent = agent;
    }

    public Report disable(OsInfo os) {
        if (os != null && os.isWindows()) {
            return disableWindows();
        }
        List<String> found = new ArrayList<>();
        try {
            Scan scan = scan();
            if (scan.listed()) {
                for (SystemctlShow.Unit u : scan.units()) {
                    if (u.active() || u.enabled()) {
                        found.add(u.id());
                    }
                }
            } else {
                List<String> a = new ArrayList<>(List.of("is-active"));
                a.addAll(TimeSyncUnits.LINUX);
                List<String> lines = agent.run(EXEC_TIMEOUT, "systemctl", a.toArray(String[]::new)).out().lines().toList();
                for (int i = 0; i < TimeSyncUnits.LINUX.size() && i < lines.size(); i++) {
                    if (lines.get(i).trim().equals("active")) {
                        found.add(TimeSyncUnits.LINUX.get(i));
                    }
                }
            }
        } catch (AgentErrorException e) {
            return new Report(List.of(), List.of(), "no systemctl in the guest (" + io.timeshift.common.text.Sanitizer.value(e.desc())
                    + "); time sync not checked: make sure no NTP client runs there");
        }
        if (found.isEmpty()) {
            return new Report(found, List.of(), "no time sync service active or enabled");
        }
        List<String> args = new ArrayList<>(List.of("disable", "--now"));
        args.addAll(found);
        ExecResult r = agent.run(EXEC_TIMEOUT, "systemctl", args.toArray(String[]::new));
        if (!r.ok()) {
            return new Report(found, List.of(), "could not disable " + String.join(", ", found) + ": systemctl exit "
                    + r.exitCode() + " " + firstLine(r.err()));
        }
        return new Report(found, found, "disabled " + String.join(", ", found));
    }

    /**
     * The Linux time sync units through one {@code systemctl show} (it prints a block per unit, also for
     * units that do not exist, {@code LoadState=not-found}, unlike is-enabled which only complains on
     * stderr for those): the installed ones, each once.
     *
     * @throws AgentErrorException when the guest cannot run systemctl
     */
    public Scan scan() {
        ExecResult show = agent.run(EXEC_TIMEOUT, "systemctl", SystemctlShow.args(TimeSyncUnits.LINUX).toArray(String[]::new));
        List<SystemctlShow.Unit> shown = SystemctlShow.parse(show.out());
        return new Scan(TimeSyncUnits.installed(shown), !shown.isEmpty(), show);
    }

    /** Turns the given units back on (time-shift disable); {@link Report#enabled} lists them when that worked. */
    public Report enable(OsInfo os, List<String> units) {
        if (units.isEmpty()) {
            return new Report(units, List.of(), List.of(), "nothing to re-enable");
        }
        if (os != null && os.isWindows()) {
            agent.run(EXEC_TIMEOUT, "C:\\Windows\\System32\\sc.exe", "config", "w32time", "start=", "auto");
            agent.run(EXEC_TIMEOUT, "C:\\Windows\\System32\\sc.exe", "start", "w32time");
            return new Report(units, List.of(), List.of("w32time"), "re-enabled w32time");
        }
        List<String> args = new ArrayList<>(List.of("enable", "--now"));
        args.addAll(units);
        ExecResult r = agent.run(EXEC_TIMEOUT, "systemctl", args.toArray(String[]::new));
        return r.ok() ? new Report(units, List.of(), List.copyOf(units), "re-enabled " + String.join(", ", units))
                : new Report(units, List.of(), List.of(), "could not re-enable " + String.join(", ", units) + ": "
                + firstLine(r.err()));
    }

    /** {@code sc.exe query w32time}: Windows' time service; its output contains RUNNING when it runs. */
    public ExecResult queryW32time() {
        return agent.run(EXEC_TIMEOUT, "C:\\Windows\\System32\\sc.exe", "query", "w32time");
    }

    private Report disableWindows() {
        String sc = "C:\\Windows\\System32\\sc.exe";
        ExecResult q = queryW32time();
        if (!q.out().contains("RUNNING") && q.exitCode() != 0) {
            return new Report(List.of(), List.of(), "w32time not present");
        }
        agent.run(EXEC_TIMEOUT, sc, "stop", "w32time");
        ExecResult c = agent.run(EXEC_TIMEOUT, sc, "config", "w32time", "start=", "disabled");
        return c.ok() ? new Report(List.of("w32time"), List.of("w32time"), "stopped and disabled w32time")
                : new Report(List.of("w32time"), List.of(), "could not disable w32time: " + firstLine(c.out()));
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("").trim();
    }
}

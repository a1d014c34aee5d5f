package io.timeshift.guest.hold;

import io.timeshift.common.timesync.TimeSyncUnits;

import io.timeshift.guest.GuestContext;
import io.timeshift.common.policy.GuestPolicy;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.guest.sys.CommandResult;
import io.timeshift.guest.sys.Rtc;
import io.timeshift.guest.sys.SystemdUnits;
import io.timeshift.common.timesync.SystemctlShow;
import io.timeshift.common.time.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code time-shift-guest-hold.service} runs at boot, before any time-sync unit: when
 * {@code policy.json} exists, put the system clock back on the RTC (which the host keeps in shifted
 * time) if something moved it further than the tolerance, typically systemd's epoch bump (systemd
 * #15320), and stop and disable every time-sync unit unless the policy says {@code timeSync: keep}.
 *
 * <p>A guest-initiated reboot fires no Proxmox hook; the RTC keeps running in QEMU, so this unit is
 * what brings such a guest back in shifted time. Every step is attempted; the result lists what was
 * done, and {@link #hold()} throws only after trying everything.
 */
public final class HoldService {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);
    private final GuestContext ctx;

    public HoldService(GuestContext ctx) {
        this.ctx = ctx;
    }

    /** Lines describing what was found and done. */
    public record Result(List<String> lines, List<String> failures) {
    }

    /** @return what was done; {@code failures} non-empty means exit 3 */
    public Result hold() {
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Optional<GuestPolicy> loaded = GuestPolicy.load(ctx.policyFile());
        if (loaded.isEmpty()) {
            lines.add("no policy at " + ctx.policyFile() + ": nothing to hold");
            return new Result(lines, failures);
        }
        GuestPolicy policy = loaded.get();
        policy.warnings().forEach(w -> lines.add("warning: " + w));
        restoreClock(policy, lines, failures);
        if (policy.keepTimeSync()) {
            lines.add("policy timeSync=keep: time sync units left alone");
        } else {
            stopTimeSync(lines, failures);
        }
        return new Result(lines, failures);
    }

    /**
     * Puts the system clock back on the RTC when it is further than the tolerance (plus the RTC's
     * resolution) from it; also what {@link HoldWatch} does after a pause or a step. One line per
     * action into {@code lines}, or one into {@code failures}.
     */
    void restoreClock(GuestPolicy policy, List<String> lines, List<String> failures) {
        Rtc rtc = new Rtc(ctx.root(), ctx.runner());
        Rtc.Reading reading;
        try {
            reading = rtc.read();
        } catch (EnvironmentException e) {
            failures.add(e.getMessage());
            return;
        }
        long readAt = ctx.monotonic().nanoTime();
        Instant expected = reading.time();
        Instant now = ctx.clock().instant();
        Duration drift = Duration.between(expected, now);
        Duration allowed = policy.tolerance().plus(reading.resolution());
        if (drift.abs().compareTo(allowed) <= 0) {
            lines.add("system clock " + now + " matches the RTC (" + expected + ") within " + Durations.human(policy.tolerance()));
            return;
        }
        if (policy.rtcLooksUnshifted(drift)) {
            lines.add("warning: the RTC shows real time (" + expected + ") and the system clock the shifted time (" + now
                    + "): the host could not write the RTC; leaving the clock alone (a reboot will lose the shift;"
                    + " install hwclock in the guest and run `time-shift apply <vmid>` on the host)");
            return;
        }
        List<String> argv = List.of("hwclock", "--hctosys", reading.localTime() ? "--localtime" : "--utc");
        CommandResult r;
        try {
            r = ctx.runner().run(argv, COMMAND_TIMEOUT);
        } catch (EnvironmentException e) {
            failures.add(String.join(" ", argv) + ": " + e.getMessage()); // e.g. a hung hwclock: go on with time sync
            return;
        }
        if (!r.ok()) {
            failures.add("system clock is " + Durations.human(drift.abs()) + (drift.isNegative() ? " behind" : " ahead of")
                    + " the RTC, and " + String.join(" ", argv) + " failed: " + r.firstErrorLine());
            return;
        }
        // safety belt: read the clock back instead of trusting the exit code
        Instant after = ctx.clock().instant();
        Instant expectedNow = expected.plusNanos(ctx.monotonic().nanoTime() - readAt);
        Duration left = Duration.between(expectedNow, after);
        if (left.abs().compareTo(allowed) > 0) {
            failures.add(String.join(" ", argv) + " ran, but the clock still shows " + after + " instead of " + expectedNow);
            return;
        }
        lines.add("system clock was " + Durations.human(drift.abs()) + (drift.isNegative() ? " behind" : " ahead of")
                + " the RTC" + (drift.isNegative() ? "" : " (systemd epoch bump or NTP)") + ": set to " + after
                + " from the RTC (" + String.join(" ", argv) + ")");
    }

    private void stopTimeSync(List<String> lines, List<String> failures) {
        SystemdUnits systemd = new SystemdUnits(ctx.runner());
        List<SystemctlShow.Unit> states;
        try {
            states = systemd.show(TimeSyncUnits.LINUX);
        } catch (EnvironmentException e) {
            failures.add("cannot stop time sync: " + e.getMessage());
            return;
        }
        List<SystemctlShow.Unit> installed = TimeSyncUnits.installed(states);
        boolean any = false;
        for (SystemctlShow.Unit s : installed) {
            if (!s.active() && !s.enabled()) {
                continue;
            }
            any = true;
            List<String> done = new ArrayList<>();
            if (s.enabled()) {
                // --no-reload: no daemon-reload in early boot; the stop below covers this boot
                String err = systemd.control(List.of("disable", "--no-reload", s.id()));
                if (err == null) {
                    done.add("disabled");
                } else {
                    failures.add(err);
                }
            }
            // --no-block: its start job waits for us (Before=); a stop job replaces it without waiting
            String err = systemd.control(List.of("stop", "--no-block", s.id()));
            if (err == null) {
                done.add("stopped");
            } else {
                failures.add(err);
            }
            if (!done.isEmpty()) {
                lines.add(s.id() + ": " + String.join(" and ", done));
            }
        }
        if (!any) {
            lines.add(installed.isEmpty() ? "no time sync service installed" : "time sync already off");
        }
    }
}

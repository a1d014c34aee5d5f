package io.timeshift.guest.clock;

import io.timeshift.common.timesync.TimeSyncUnits;

import io.timeshift.common.policy.GuestPolicy;

import io.timeshift.guest.Finding;
import io.timeshift.guest.GuestContext;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.guest.sys.Rtc;
import io.timeshift.guest.sys.SystemdEpoch;
import io.timeshift.guest.sys.SystemdUnits;
import io.timeshift.common.timesync.SystemctlShow;
import io.timeshift.common.time.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The guest's self-check: is the wall clock where the host put it, can anything pull it back to
 * real time, and will systemd push it forward at the next boot?
 *
 * <p>Reference time: {@code --expect} if given; otherwise the RTC. The host controls the RTC
 * ({@code -rtc base=<startdate>} at start, and the agent's {@code guest-set-time} also writes it
 * with {@code hwclock -w}), so a system clock that disagrees with it was moved inside the guest:
 * NTP, timesyncd, or systemd's epoch bump. One exception is detected through the policy's
 * {@code expectedOffsetMs}: a system clock that differs from the RTC by exactly the shift means the
 * RTC was never written, and a reboot will lose the shift. Thread-safe; stateless.
 */
public final class ClockVerifier {
    private final GuestContext ctx;

    public ClockVerifier(GuestContext ctx) {
        this.ctx = ctx;
    }

    /**
     * @param expect    the time the clock should show now, or empty to use the RTC and policy.json
     * @param tolerance overrides the policy's tolerance
     * @throws EnvironmentException when there is nothing to compare with (no --expect, no policy)
     */
    public VerifyReport verify(Optional<Instant> expect, Optional<Duration> tolerance) {
        // --expect: the time the user asked about is the time the command started
        Instant now = ctx.clock().instant();
        Optional<GuestPolicy> policy = GuestPolicy.load(ctx.policyFile());
        if (expect.isEmpty() && policy.isEmpty()) {
            throw new EnvironmentException("nothing to compare the clock with: pass --expect <when>, or let the host write "
                    + ctx.policyFile() + " (`time-shift apply <vmid>`)");
        }
        List<Finding> findings = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        policy.ifPresent(p -> p.warnings().forEach(w -> findings.add(new Finding(w, "re-run `time-shift apply <vmid>` on the host"))));
        Duration tol = tolerance.orElse(policy.map(GuestPolicy::tolerance).orElse(GuestPolicy.DEFAULT_TOLERANCE));

        // 1. the clock against its reference
        Instant expected = null;
        String source = null;
        Long driftMs = null;
        Boolean inTolerance = null;
        Duration allowed = tol;
        if (expect.isPresent()) {
            expected = expect.get();
            source = "--expect";
        } else {
            try {
                Rtc.Reading rtc = new Rtc(ctx.root(), ctx.runner()).read();
                // the system clock next to the RTC reading: a cold JVM on a slow guest spends seconds
                // between the first reading and here (policy parsing), which would show up as drift
                now = ctx.clock().instant();
                if (policy.get().rtcLooksUnshifted(Duration.between(rtc.time(), now))) {
                    findings.add(new Finding("the RTC shows real time (" + rtc.time() + "), not the shifted time: "
                            + "a reboot from inside the guest will lose the shift",
                            "install hwclock in the guest (util-linux) and run `time-shift apply <vmid>` on the host"));
                } else {
                    expected = rtc.time();
                    source = "rtc";
                    // sysfs gives whole seconds: widen the allowance by the reading's resolution
                    allowed = tol.plus(rtc.resolution());
                }
            } catch (EnvironmentException e) {
                findings.add(new Finding(e.getMessage(), "check that /dev/rtc0 exists (the VM needs an RTC) and hwclock is installed"));
            }
        }
        if (expected != null) {
            Duration drift = Duration.between(expected, now);
            driftMs = drift.toMillis();
            inTolerance = drift.abs().compareTo(allowed) <= 0;
            if (!inTolerance) {
                findings.add(new Finding("system clock " + now + " is " + Durations.human(drift.abs())
                                + (drift.isNegative() ? " behind" : " ahead of") + " the expected " + expected
                                + " (" + ("rtc".equals(source) ? "RTC" : source) + "), tolerance " + Durations.human(tol),
                        "rtc".equals(source)
                                ? "run `time-shift-guest hold` to restore it from the RTC, or `time-shift apply <vmid>` on the host"
                                : "run `time-shift apply <vmid>` on the host"));
            }
        }
        if (policy.isPresent() && "fixed".equals(policy.get().mode()) && policy.get().date() != null
                && now.isBefore(policy.get().date().minus(tol))) {
            findings.add(new Finding("system clock " + now + " is before the policy date " + policy.get().date()
                    + " (fixed mode starts the clock there)", "run `time-shift apply <vmid>` on the host"));
        }

        // 2. anything that could pull the clock back to real time
        boolean keep = policy.map(GuestPolicy::keepTimeSync).orElse(false);
        List<String> asked = new ArrayList<>(TimeSyncUnits.LINUX);
        asked.add(SystemdUnits.HOLD_UNIT);
        List<SystemctlShow.Unit> states = null;
        String systemdError = null;
        try {
            states = new SystemdUnits(ctx.runner()).show(asked);
        } catch (EnvironmentException e) {
            systemdError = e.getMessage();
        }
        VerifyReport.TimeSync timeSync;
        Boolean holdEnabled = null;
        if (states == null) {
            timeSync = new VerifyReport.TimeSync(keep ? "keep" : "disable", List.of(), null, systemdError);
            if (!keep) {
                findings.add(new Finding("cannot tell whether NTP is off: " + systemdError,
                        "check by hand that systemd-timesyncd, chrony and ntpd are stopped and disabled"));
            }
        } else {
            List<VerifyReport.Unit> units = new ArrayList<>();
            boolean pull = false;
            for (SystemctlShow.Unit s : TimeSyncUnits.installed(states)) {
                units.add(new VerifyReport.Unit(s.id(), s.active(), s.enabled()));
                pull |= s.active() || s.enabled();
                if (keep) {
                    continue;
                }
                if (s.active()) {
                    findings.add(new Finding(s.id() + " is running: it pulls the clock back to real time",
                            "systemctl disable --now " + s.id()));
                } else if (s.enabled()) {
                    findings.add(new Finding(s.id() + " is enabled: it starts at next boot and pulls the clock back",
                            "systemctl disable " + s.id()));
                }
            }
            if (keep) {
                notes.add("policy timeSync=keep: time sync is left alone" + (pull ? " (it can pull the clock back to real time)" : ""));
            } else if (!pull) {
                notes.add(units.isEmpty() ? "no time sync service installed" : "time sync is off (" + unitList(units) + ")");
            }
            SystemctlShow.Unit hold = states.get(states.size() - 1);
            holdEnabled = hold.enabled();
            timeSync = new VerifyReport.TimeSync(keep ? "keep" : "disable", units, pull, null);
        }

        // 3. systemd's epoch bump at next boot
        VerifyReport.Epoch epoch = null;
        SystemdEpoch.Info info = SystemdEpoch.read(ctx.root());
        if (info != null) {
            Instant reference = expected != null ? expected : now;
            if (policy.isPresent() && "fixed".equals(policy.get().mode()) && policy.get().date() != null
                    && policy.get().date().isBefore(reference)) {
                reference = policy.get().date(); // a fixed-mode start begins at the policy date again
            }
            boolean bump = reference.isBefore(info.bumpTo());
            epoch = new VerifyReport.Epoch(info.bumpTo().toString(), info.bumpSource(), bump, holdEnabled);
            if (bump) {
                String what = "at next boot systemd will advance the clock to >= " + info.bumpTo() + " (" + info.bumpSource() + ")";
                if (Boolean.TRUE.equals(holdEnabled) && policy.isPresent()) {
                    notes.add(what + "; " + SystemdUnits.HOLD_UNIT + " (enabled) restores it from the RTC");
                } else if (Boolean.TRUE.equals(holdEnabled)) {
                    findings.add(new Finding(what + "; " + SystemdUnits.HOLD_UNIT + " is enabled but does nothing without "
                            + ctx.policyFile(), "run `time-shift apply <vmid>` on the host, which writes it"));
                } else {
                    findings.add(new Finding(what + "; " + SystemdUnits.HOLD_UNIT + " is "
                            + (holdEnabled == null ? "in an unknown state" : "not enabled") + ", so the shifted time is lost at reboot",
                            "systemctl enable " + SystemdUnits.HOLD_UNIT));
                }
            }
        }
        return new VerifyReport(findings.isEmpty(), now.toString(), expected == null ? null : expected.toString(), source,
                driftMs, tol.toString(), inTolerance, timeSync, epoch, List.copyOf(findings), List.copyOf(notes));
    }

    private static String unitList(List<VerifyReport.Unit> units) {
        List<String> parts = new ArrayList<>();
        for (VerifyReport.Unit u : units) {
            parts.add(u.unit() + " inactive, disabled");
        }
        return String.join("; ", parts);
    }
}

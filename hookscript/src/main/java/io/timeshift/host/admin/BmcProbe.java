package io.timeshift.host.admin;

import io.timeshift.common.error.TimeShiftException;
import io.timeshift.guest.plan.PlanReport;
import io.timeshift.guest.plan.Planner;
import io.timeshift.guest.tls.Assessment;
import io.timeshift.guest.tls.ProbeFacts;
import io.timeshift.guest.tls.Target;
import io.timeshift.guest.tls.TlsProber;
import io.timeshift.common.time.Monotonic;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The guest tool's TLS prober and certificate-window planner ({@code io.timeshift.guest.tls},
 * {@code io.timeshift.guest.plan}), run on the host for {@code enable}'s guided mode: every target is
 * probed concurrently within {@link #TIMEOUT}, and the planner proposes a date inside every
 * certificate's validity window. Never used on the hook path.
 */
final class BmcProbe {
    /** Per-target budget, as {@code time-shift-guest plan}'s default. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The plan and one line per target, in the order given. */
    record Result(PlanReport report, List<String> lines) {
        String proposed() {
            return report.suggested();
        }
    }

    private BmcProbe() {
    }

    /** Null when {@code target} is a form the prober takes, else the reason. */
    static String problem(String target) {
        try {
            Target.parse(target);
            return null;
        } catch (TimeShiftException e) {
            return e.getMessage();
        }
    }

    /**
     * The probe of {@code targets}, parsed (a target the prober does not take throws here, before anything
     * is shown): show its {@link Probe#progress()} line, then {@link Probe#run} it.
     */
    static Probe prepare(List<String> targets, Duration timeout) {
        List<Target> parsed = new ArrayList<>();
        for (String t : targets) {
            parsed.add(Target.parse(t));
        }
        return new Probe(parsed, timeout);
    }

    /** Parsed targets, ready to probe within {@code timeout}. */
    record Probe(List<Target> targets, Duration timeout) {
        Probe {
            targets = List.copyOf(targets);
        }

        /** The line to show before probing (it takes up to {@link #timeout}). */
        String progress() {
            return "probing " + targets.size() + " BMC" + (targets.size() == 1 ? "" : "s") + " from this host (at most "
                    + timeout.toSeconds() + " s) ...";
        }

        /** Probes the targets from this host, concurrently, and plans. */
        Result run(Clock clock, Monotonic monotonic) {
            return BmcProbe.run(targets, clock, monotonic, timeout);
        }
    }

    private static Result run(List<Target> parsed, Clock clock, Monotonic monotonic, Duration timeout) {
        TlsProber prober = new TlsProber(clock, monotonic::nanoTime, Assessment.ofRunningJdk());
        List<ProbeFacts> facts = prober.factsAll(parsed, timeout, null);
        PlanReport report = new Planner().plan(facts, clock.instant());
        List<String> lines = new ArrayList<>();
        for (PlanReport.TargetWindow w : report.targets()) {
            if (w.window() != null) {
                lines.add("  " + w.target() + ": certificates valid " + w.window().notBefore() + " .. " + w.window().notAfter());
            } else if (w.error() != null) {
                lines.add("  " + w.target() + ": not probed: " + w.error());
            } else {
                lines.add("  " + w.target() + ": its own certificate chain is never valid at one time");
            }
        }
        if (report.window() != null) {
            lines.add("common window " + report.window().notBefore() + " .. " + report.window().notAfter() + ": proposed date "
                    + report.suggested());
        } else if (!report.conflicts().isEmpty()) {
            for (PlanReport.Conflict c : report.conflicts()) {
                lines.add("no single date works: " + c.reason() + " (" + String.join(", ", c.targets())
                        + " need separate VMs)");
            }
        } else {
            lines.add("no date can be proposed: a BMC could not be probed from this host (check the address, or name the date"
                    + " yourself; time-shift plan probes from inside the VM later)");
        }
        return new Result(report, lines);
    }
}

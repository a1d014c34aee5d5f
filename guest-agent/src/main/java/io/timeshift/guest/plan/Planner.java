package io.timeshift.guest.plan;

import io.timeshift.guest.tls.ProbeFacts;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Intersects the validity windows of every certificate of every target's chain and suggests a date.
 *
 * <p>The suggestion keeps a margin from both edges of the common window (10 % of its width, at least
 * one day when the window is wider than two days), and is the instant inside that margin closest to
 * now: for a window in the past that is its late end, which keeps the guest as close to real time
 * as possible (apt's "Release file is not valid yet", JRE expiry checks, the systemd epoch) while
 * leaving room for the clock to run in continue mode. It is moved to midday UTC when that day's
 * midday still lies inside the margin. Windows are closed intervals, as X.509 validity is.
 * Pure and thread-safe.
 */
public final class Planner {

    /** Plans over probed targets; targets without a chain are reported with their error. */
    public PlanReport plan(List<ProbeFacts> facts, Instant now) {
        List<PlanReport.TargetWindow> targets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Instant[]> windows = new ArrayList<>();
        List<PlanReport.Conflict> conflicts = new ArrayList<>();
        for (ProbeFacts f : facts) {
            if (f.chain().isEmpty()) {
                String why = !f.reachable() ? f.error() : "the server sent no certificate";
                targets.add(new PlanReport.TargetWindow(f.target(), null, why == null ? "no certificate" : why));
                continue;
            }
            Instant start = null;
            Instant end = null;
            for (X509Certificate c : f.chain()) {
                Instant nb = c.getNotBefore().toInstant();
                Instant na = c.getNotAfter().toInstant();
                start = start == null || nb.isAfter(start) ? nb : start;
                end = end == null || na.isBefore(end) ? na : end;
            }
            if (start.isAfter(end)) {
                targets.add(new PlanReport.TargetWindow(f.target(), null, null));
                conflicts.add(new PlanReport.Conflict(List.of(f.target()),
                        "its own chain has no common date: a certificate expires " + end + " before another becomes valid " + start));
                continue;
            }
            targets.add(new PlanReport.TargetWindow(f.target(), window(start, end), null));
            names.add(f.target());
            windows.add(new Instant[] {start, end});
        }
        for (int i = 0; i < windows.size(); i++) {
            for (int j = i + 1; j < windows.size(); j++) {
                Instant[] a = windows.get(i);
                Instant[] b = windows.get(j);
                if (a[1].isBefore(b[0]) || b[1].isBefore(a[0])) {
                    boolean aFirst = a[1].isBefore(b[0]);
                    String early = aFirst ? names.get(i) : names.get(j);
                    String late = aFirst ? names.get(j) : names.get(i);
                    conflicts.add(new PlanReport.Conflict(List.of(names.get(i), names.get(j)),
                            early + " is valid only until " + (aFirst ? a[1] : b[1]) + ", " + late + " only from "
                                    + (aFirst ? b[0] : a[0])));
                }
            }
        }
        boolean complete = targets.stream().allMatch(t -> t.window() != null);
        if (!complete || windows.isEmpty() || !conflicts.isEmpty()) {
            return new PlanReport(null, null, targets, conflicts);
        }
        // pairwise overlapping intervals on a line always share a common part (Helly, d = 1)
        Instant start = windows.get(0)[0];
        Instant end = windows.get(0)[1];
        for (Instant[] w : windows) {
            start = w[0].isAfter(start) ? w[0] : start;
            end = w[1].isBefore(end) ? w[1] : end;
        }
        return new PlanReport(window(start, end), suggest(start, end, now).toString(), targets, conflicts);
    }

    /** A date inside [start, end] with margins, as close to {@code now} as they allow. */
    public static Instant suggest(Instant start, Instant end, Instant now) {
        Duration width = Duration.between(start, end);
        Duration margin = width.dividedBy(10);
        if (margin.compareTo(Duration.ofDays(1)) < 0 && width.compareTo(Duration.ofDays(2)) > 0) {
            margin = Duration.ofDays(1);
        }
        Instant lo = start.plus(margin);
        Instant hi = end.minus(margin);
        if (lo.isAfter(hi)) {
            return start.plus(width.dividedBy(2));
        }
        Instant pick = now.isBefore(lo) ? lo : now.isAfter(hi) ? hi : now;
        Instant midday = pick.atZone(ZoneOffset.UTC).toLocalDate().atTime(LocalTime.NOON).toInstant(ZoneOffset.UTC);
        for (Instant candidate : new Instant[] {midday, midday.minus(Duration.ofDays(1)), midday.plus(Duration.ofDays(1))}) {
            if (!candidate.isBefore(lo) && !candidate.isAfter(hi)) {
                return candidate;
            }
        }
        return pick.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    private static PlanReport.Window window(Instant start, Instant end) {
        return new PlanReport.Window(start.toString(), end.toString());
    }
}

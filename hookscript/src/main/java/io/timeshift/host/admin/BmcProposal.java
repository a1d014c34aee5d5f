package io.timeshift.host.admin;

import io.timeshift.common.time.Monotonic;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The non-UI part of enable's guided mode (the dialogue itself is {@code cli.EnableWizard}): checking
 * the BMCs the admin names, probing them from this host and the planner's proposed date, as values.
 */
public final class BmcProposal {
    private BmcProposal() {
    }

    /**
     * What the probe found: its progress line(s), one line per target and the common window or why there
     * is none, and the proposed date (null: none); or, when the probe itself failed, {@code error} (one
     * line) after the progress.
     */
    public record Probed(List<String> progress, List<String> lines, String proposed, String error) {
        public Probed {
            progress = List.copyOf(progress);
            lines = List.copyOf(lines);
        }
    }

    /** The {@code --target} values, checked (exit 2 naming the option), duplicates dropped, order kept. */
    public static List<String> targets(List<String> args) {
        return TargetArgs.parse(args);
    }

    /** Null when {@code answer} is one BMC in a form the prober takes, else the reason (one line). */
    public static String problem(String answer) {
        return answer.chars().anyMatch(Character::isWhitespace) ? "one BMC per answer, without spaces" : BmcProbe.problem(answer);
    }

    /** Probes {@code targets} concurrently (each within {@code timeout}) and plans; never throws. */
    public static Probed probe(List<String> targets, Clock clock, Monotonic monotonic, Duration timeout) {
        StringWriter progress = new StringWriter();
        try {
            BmcProbe.Result r = BmcProbe.probe(targets, clock, monotonic, timeout, new PrintWriter(progress, true));
            return new Probed(progress.toString().lines().toList(), r.lines(), r.proposed(), null);
        } catch (RuntimeException e) {
            return new Probed(progress.toString().lines().toList(), List.of(), null, ErrorLine.of(e));
        }
    }
}

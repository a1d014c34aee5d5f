package io.timeshift.host.admin;

import io.timeshift.common.time.Monotonic;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The non-UI part of enable's guided mode (the dialogue itself is {@code cli.EnableWizard}): checking
 * the BMCs the admin names, probing them from this host and the planner's proposed date, as values.
 */
public final class BmcProposal {
    private BmcProposal() {
    }

    /**
     * What the probe found: one line per target and the common window or why there is none, and the
     * proposed date (null: none); or, when the probe itself failed, {@code error} (one line).
     */
    public record Probed(List<String> lines, String proposed, String error) {
        public Probed {
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

    /**
     * Probes {@code targets} concurrently (each within {@code timeout}) and plans; never throws.
     * {@code progress} gets the progress line as soon as the probing starts (it takes up to {@code timeout}).
     */
    public static Probed probe(List<String> targets, Clock clock, Monotonic monotonic, Duration timeout,
                               Consumer<String> progress) {
        try {
            BmcProbe.Probe probe = BmcProbe.prepare(targets, timeout);
            progress.accept(probe.progress());
            BmcProbe.Result r = probe.run(clock, monotonic);
            return new Probed(r.lines(), r.proposed(), null);
        } catch (RuntimeException e) {
            return new Probed(List.of(), null, ErrorLine.of(e));
        }
    }
}

package io.timeshift.host.admin;

import io.timeshift.common.time.Monotonic;

import java.io.PrintWriter;
import java.io.Writer;
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
        try (PrintWriter lines = new PrintWriter(new LineWriter(progress), true)) {
            BmcProbe.Result r = BmcProbe.probe(targets, clock, monotonic, timeout, lines);
            return new Probed(r.lines(), r.proposed(), null);
        } catch (RuntimeException e) {
            return new Probed(List.of(), null, ErrorLine.of(e));
        }
    }

    /** Hands each complete line written to it to {@code sink}, without its line separator. */
    private static final class LineWriter extends Writer {
        private final Consumer<String> sink;
        private final StringBuilder line = new StringBuilder();

        LineWriter(Consumer<String> sink) {
            this.sink = sink;
        }

        @Override
        public void write(char[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                char c = buf[i];
                if (c == '\n') {
                    int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
                    sink.accept(line.substring(0, end));
                    line.setLength(0);
                } else {
                    line.append(c);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            if (line.length() > 0) {
                sink.accept(line.toString());
                line.setLength(0);
            }
        }
    }
}

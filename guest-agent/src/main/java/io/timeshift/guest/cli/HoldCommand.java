package io.timeshift.guest.cli;

import io.timeshift.common.time.Sleeper;

import io.timeshift.guest.GuestContext;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.guest.hold.HoldService;
import io.timeshift.guest.hold.HoldWatch;
import io.timeshift.common.time.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code hold}: what time-shift-guest-hold.service runs at boot ({@link HoldService}); with
 * {@code --watch}, what time-shift-guest-hold-watch.service runs while policy.json exists
 * ({@link HoldWatch}: the clock put back from the RTC after a pause or a step).
 */
@Command(name = "hold", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Boot step (time-shift-guest-hold.service): when policy.json exists, set the system clock back to the RTC if systemd or NTP moved it, and stop and disable time sync unless the policy says timeSync=keep. Exit 3 when a step failed.",
                "With --watch (time-shift-guest-hold-watch.service): keep doing the clock part while policy.json exists, so a paused and resumed VM (QMP stop/cont) or a stepped clock goes back to the RTC's shifted time; ends when policy.json is removed (time-shift disable)."})
public final class HoldCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--watch", description = "Keep watching the system clock against the RTC until policy.json is removed.")
    boolean watch;

    @Option(names = "--interval", paramLabel = "<duration>", converter = Converters.DurationConverter.class,
            description = "With --watch: how often the RTC is read (default 1s, from 100ms to 1h).")
    Duration interval;

    private final GuestContext ctx;
    private final Sleeper sleeper;

    public HoldCommand(GuestContext ctx) {
        this(ctx, Sleeper.SYSTEM);
    }

    public HoldCommand(GuestContext ctx, Sleeper sleeper) {
        this.ctx = ctx;
        this.sleeper = sleeper;
    }

    @Override
    public Integer call() {
        if (interval != null && !watch) {
            throw new InvalidInputException("--interval goes with --watch; use: time-shift-guest hold --watch --interval "
                    + Durations.human(interval));
        }
        if (watch) {
            Duration every = interval == null ? HoldWatch.DEFAULT_INTERVAL : interval;
            if (every.compareTo(Duration.ofMillis(100)) < 0 || every.compareTo(Duration.ofHours(1)) > 0) {
                throw new InvalidInputException("--interval " + Durations.human(every) + " is out of range; use 100ms to 1h");
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            // one line per event, flushed at once: the journal shows it when it happens
            return new HoldWatch(ctx, sleeper, every, HoldWatch.DEFAULT_CONFIRM, l -> {
                out.println(l);
                out.flush();
            }, l -> {
                err.println(l);
                err.flush();
            }).run();
        }
        HoldService.Result r = new HoldService(ctx).hold();
        r.lines().forEach(spec.commandLine().getOut()::println);
        if (!r.failures().isEmpty()) {
            spec.commandLine().getOut().flush();
            for (int i = 0; i < r.failures().size() - 1; i++) {
                spec.commandLine().getErr().println("error: " + r.failures().get(i));
            }
            throw new EnvironmentException(r.failures().get(r.failures().size() - 1));
        }
        return 0;
    }
}

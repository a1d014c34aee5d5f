package io.timeshift.guest.cli;

import io.timeshift.guest.GuestContext;
import io.timeshift.guest.clock.ClockVerifier;
import io.timeshift.guest.clock.VerifyReport;
import io.timeshift.common.error.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code verify}: delegate to {@link ClockVerifier}; exit 1 on any finding. */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Check the guest clock against --expect, or against the RTC the host set (policy.json); check that no time sync service can pull it back, and whether systemd's epoch would push it forward at the next boot. Exit 1 on any finding.")
public final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--expect", paramLabel = "<when>", converter = Converters.WhenConverter.class,
            description = "The time the clock should show now (default: the RTC, which the host keeps in shifted time).")
    Instant expect;

    @Option(names = "--tolerance", paramLabel = "<duration>", converter = Converters.DurationConverter.class,
            description = "Allowed difference (default: the policy's tolerance, else 2s).")
    Duration tolerance;

    @Option(names = "--json", description = "The report as one JSON object.")
    boolean json;

    private final GuestContext ctx;

    public VerifyCommand(GuestContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        if (tolerance != null && tolerance.isNegative()) {
            throw new InvalidInputException("--tolerance must not be negative, e.g. 2s or PT2S");
        }
        VerifyReport report = new ClockVerifier(ctx).verify(Optional.ofNullable(expect), Optional.ofNullable(tolerance));
        if (json) {
            spec.commandLine().getOut().println(ctx.json().get().writeValueAsString(report));
        } else {
            Text.verify(report, spec.commandLine().getOut());
        }
        return report.ok() ? 0 : 1;
    }
}

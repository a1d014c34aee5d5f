package io.timeshift.guest.cli;

import io.timeshift.guest.GuestContext;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.guest.plan.PlanReport;
import io.timeshift.guest.plan.Planner;
import io.timeshift.guest.tls.Assessment;
import io.timeshift.guest.tls.ProbeFacts;
import io.timeshift.guest.tls.Target;
import io.timeshift.guest.tls.TlsProber;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code plan <target>...}: probe every chain, intersect the windows, suggest a date. Exit 1 when
 * there is no common window, 3 when a target could not be probed (its window is unknown).
 */
@Command(name = "plan", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Find a date at which every certificate of every target's chain is valid, and suggest one with a margin from both edges. Targets that cannot share a date are named (they need separate VMs). Exit 1 when no common window exists, 3 when a target could not be probed.")
public final class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "<target>", description = "host, host:port or https://host[:port]")
    List<String> targets;

    @Option(names = "--timeout", paramLabel = "<duration>", defaultValue = "10s", converter = Converters.DurationConverter.class,
            description = "Per-target time budget (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "window, suggested, targets, conflicts as one JSON object.")
    boolean json;

    private final GuestContext ctx;

    public PlanCommand(GuestContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        List<Target> parsed = ProbeCommand.parseTargets(targets);
        ProbeCommand.requirePositive(timeout);
        TlsProber prober = new TlsProber(ctx.clock(), ctx.monotonic(), Assessment.ofRunningJdk());
        List<ProbeFacts> facts = prober.factsAll(parsed, timeout, null);
        PlanReport report = new Planner().plan(facts, ctx.clock().instant());
        if (json) {
            spec.commandLine().getOut().println(ctx.json().get().writeValueAsString(report));
        } else {
            Text.plan(report, spec.commandLine().getOut());
        }
        if (report.anyUnreachable()) {
            return TimeShiftException.ENVIRONMENT;
        }
        return report.hasWindow() ? 0 : TimeShiftException.CHECK_FAILED;
    }
}

package io.timeshift.guest.cli;

import io.timeshift.guest.GuestContext;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.guest.tls.Assessment;
import io.timeshift.guest.tls.ProbeResult;
import io.timeshift.guest.tls.Target;
import io.timeshift.guest.tls.TlsProber;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code probe <target>...}: parse, delegate to {@link TlsProber}, print, exit 1 unless every target is ok. */
@Command(name = "probe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Diagnose each BMC's TLS: protocols, chosen suites, certificate chain, client-certificate request; a verdict, whether a time shift helps, and the minimal client settings (relaxations) it needs. Targets are probed concurrently; exit 1 when any is not ok.")
public final class ProbeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "<target>", description = "host, host:port or https://host[:port] (default port 443)")
    List<String> targets;

    @Option(names = "--at", paramLabel = "<when>", converter = Converters.WhenConverter.class,
            description = "Also check validity at this date (2021-03-01T12:00:00Z, 2021-03-01).")
    Instant at;

    @Option(names = "--timeout", paramLabel = "<duration>", defaultValue = "10s", converter = Converters.DurationConverter.class,
            description = "Per-target time budget (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "One JSON object per target, in an array.")
    boolean json;

    private final GuestContext ctx;

    public ProbeCommand(GuestContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        List<Target> parsed = parseTargets(targets);
        requirePositive(timeout);
        TlsProber prober = new TlsProber(ctx.clock(), ctx.monotonic(), Assessment.ofRunningJdk());
        List<ProbeResult> results = prober.probeAll(parsed, timeout, at);
        if (json) {
            spec.commandLine().getOut().println(ctx.json().get().writeValueAsString(results));
        } else {
            Text.probe(results, at, spec.commandLine().getOut());
        }
        return results.stream().allMatch(ProbeResult::ok) ? 0 : 1;
    }

    static List<Target> parseTargets(List<String> raw) {
        List<Target> out = new ArrayList<>();
        for (String t : raw) {
            out.add(Target.parse(t));
        }
        return out;
    }

    /** The longest --timeout: one BMC's handshakes never need more; and it keeps every deadline sum in range. */
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    static void requirePositive(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new InvalidInputException("--timeout must be positive, e.g. 10s or PT10S");
        }
        if (timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new InvalidInputException("--timeout must be at most 10m (PT10M), e.g. 10s or PT10S");
        }
    }
}

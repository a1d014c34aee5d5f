package io.timeshift.guest.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The top-level {@code time-shift-guest} command; only holds the subcommands and global options. */
@Command(name = "time-shift-guest",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Runs inside the time-shifted jump VM: proves the guest clock, diagnoses why a BMC's TLS fails, plans a date that satisfies every BMC certificate, and holds the shifted time across reboots.",
        subcommands = {VerifyCommand.class, ProbeCommand.class, PlanCommand.class, HoldCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 a check failed, 2 invalid input, 3 environment not usable.",
            "Environment: TIME_SHIFT_GUEST_DIR (default /var/lib/time-shift-guest) holds policy.json."})
public final class GuestCommand implements Runnable {
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces with errors.")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "missing command: verify, probe, plan or hold");
    }
}

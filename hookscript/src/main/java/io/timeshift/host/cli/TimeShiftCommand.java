package io.timeshift.host.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "time-shift", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Put a Proxmox VM's clock into the past (or any chosen time) and prove it from inside the guest.",
                "A VM with a policy gets its clock set by our hookscript at every start."},
        subcommands = {EnableCommand.class, DisableCommand.class, StatusCommand.class, ApplyCommand.class, VerifyCommand.class,
                PlanCommand.class, IsolateCommand.class, DoctorCommand.class, AuditCommand.class, HookCommand.class, RearmCommand.class, ApiSetupCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 a check failed, 2 invalid input, 3 environment not usable.",
                "Files: /etc/pve/time-shift/<vmid>.json (policy), /var/lib/time-shift/<vmid>.json (state),",
                "       /var/log/time-shift/audit.jsonl, /etc/time-shift/time-shift.json"})
public final class TimeShiftCommand implements Runnable {
    @Option(names = {"-v", "--verbose"}, description = "Show stack traces of errors.", scope = picocli.CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // like time-shift-guest: no command is a usage error (exit 2, one line), not a successful run
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command: enable, disable, status,"
                + " apply, verify, plan, doctor, audit, api-setup or hook");
    }
}

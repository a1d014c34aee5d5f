package io.timeshift.host.cli;

import io.timeshift.host.admin.EnableService;
import io.timeshift.host.admin.Prompt;
import io.timeshift.host.admin.SnippetInstaller;
import io.timeshift.host.apply.Detacher;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "enable", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Give a VM a clock policy: write /etc/pve/time-shift/<vmid>.json and, in one config update checked",
                "against the config digest, attach the hookscript and set startdate, agent, the time-shift tag and the",
                "Notes line. Validates everything first, shows the changes, asks (or --yes), and undoes all on failure."},
        footer = {"", "<when>: 2021-03-01T12:00:00Z, 2021-03-01T12:00:00 (UTC unless --zone) or 2021-03-01.",
                "<duration>: -P1095D, PT2S, -3y, -90d, 2s.",
                "", "Examples:",
                "  time-shift enable 105 --date 2021-03-01T12:00:00Z --dry-run",
                "  time-shift enable 105 --date 2021-03-01 --target https://idrac-r710.mgmt.example --yes",
                "  time-shift enable 105 --offset -3y --mode offset --yes",
                "  time-shift enable 107 --date 2021-03-01T12:00:00Z --guest-zone Asia/Karachi --yes   (Windows guest)",
                "  time-shift enable 105 --date 2019-06-01 --mode continue --storage nfs-snippets --chain --yes"})
public final class EnableCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<vmid>", converter = VmidConverter.class, description = "The VM (100-999999999).")
    int vmid;

    @ArgGroup(exclusive = true, multiplicity = "1")
    When when;

    static final class When {
        @Option(names = "--date", paramLabel = "<when>", required = true, description = "The guest clock starts at this time.")
        String date;

        @Option(names = "--offset", paramLabel = "<duration>", required = true,
                description = "The guest clock runs this far from real time (e.g. -3y).")
        String offset;
    }

    @Option(names = "--mode", paramLabel = "fixed|offset|continue",
            description = "fixed: every start begins at the date (default with --date); offset: always real time + offset"
                    + " (default with --offset); continue: resume from the guest time at the last stop.")
    String mode;

    @Option(names = "--zone", paramLabel = "<zone>", description = "Zone of a --date without offset (default UTC), e.g. Europe/Berlin.")
    String zone;

    @Option(names = "--guest-zone", paramLabel = "<zone>",
            description = "The guest's time zone, for a guest whose RTC runs in local time (Windows ostype or localtime: 1):"
                    + " an IANA id like Asia/Karachi or an offset like +05:00. Default: the running guest's (agent), else the"
                    + " host's. startdate is then written in that zone.")
    String guestZone;

    @Option(names = "--storage", paramLabel = "<id>", defaultValue = "local",
            description = "Storage for the hook snippet (needs the snippets content type; default ${DEFAULT-VALUE}).")
    String storage;

    @Option(names = "--tolerance", paramLabel = "<duration>", description = "How far the guest clock may be off (default 2s).")
    String tolerance;

    @Option(names = "--keep-time-sync", description = "Leave the guest's NTP/timesyncd/chrony running (default: turn it off).")
    boolean keepTimeSync;

    @Option(names = "--on-error", paramLabel = "warn|abort", description = "abort: refuse the VM start when pre-start fails (default warn).")
    String onError;

    @Option(names = "--target", paramLabel = "<bmc>", description = "A BMC this VM is for (repeatable); used by plan.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--chain", description = "Keep the VM's existing hookscript and run it first for every phase.")
    boolean chain;

    @Option(names = "--dry-run", description = "Only show what would change.")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Do it without asking (also enables snippets on the storage, and applies"
            + " to a running VM now).")
    boolean yes;

    public EnableCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        EnableService svc = new EnableService(services.paths(), services.env(), services.clock(), services.pve()::asRoot,
                new Detacher(services.env()), Prompt.system(),
                new SnippetInstaller(services.paths().pveDir(), services.env(), SnippetInstaller.INSTALLED_COPY),
                spec.commandLine().getOut(), services.agents());
        return svc.enable(new EnableService.Request(vmid, when.date, when.offset, mode, zone, storage, tolerance, keepTimeSync,
                onError, targets, chain, dryRun, yes, guestZone));
    }
}

package io.timeshift.host.cli;

import io.timeshift.host.admin.EnableService;
import io.timeshift.host.admin.EnableWizard;
import io.timeshift.host.admin.Prompt;
import io.timeshift.host.admin.SnippetInstaller;
import io.timeshift.host.apply.Detacher;
import io.timeshift.common.error.InvalidInputException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "enable", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Give a VM a clock policy: write /etc/pve/time-shift/<vmid>.json and, in one config update checked",
                "against the config digest, attach the hookscript and set startdate, agent, the time-shift tag and the",
                "Notes line. Validates everything first, shows the changes, asks (or --yes), and undoes all on failure."},
        footer = {"", "Without --date and --offset, on a terminal, enable asks step by step (BMCs, probed from this host for a",
                "date inside every certificate's validity window; mode; time sync; on-error; isolation), shows the",
                "changes, asks 'Apply these changes to VM <vmid>? [y/N]' and prints the same as one command.",
                "", "<when>: 2021-03-01T12:00:00Z, 2021-03-01T12:00:00 (UTC unless --zone) or 2021-03-01.",
                "<duration>: -P1095D, PT2S, -3y, -90d, 2s.",
                "", "Examples:",
                "  time-shift enable 105 --date 2021-03-01T12:00:00Z --dry-run",
                "  time-shift enable 105 --date 2021-03-01 --target https://idrac-r710.mgmt.example --yes",
                "  time-shift enable 105 --offset -3y --mode offset --yes",
                "  time-shift enable 105 --date 2019-06-01 --mode continue --storage nfs-snippets --chain --yes",
                "  time-shift enable 107 --date 2021-03-01T12:00:00Z --guest-zone Asia/Karachi --yes   (Windows guest)",
                "  time-shift enable 105                    (guided, on a terminal)",
                "  time-shift enable 105 --date 2021-03-01 --target 192.0.2.10:443 --isolate --allow-dns 192.0.2.53 --yes"})
public final class EnableCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<vmid>", converter = VmidConverter.class, description = "The VM (100-999999999).")
    int vmid;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
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

    @Option(names = "--isolate", description = "Fence the VM in with the Proxmox firewall: outbound only to the --target BMCs"
            + " (see: time-shift isolate --help).")
    boolean isolate;

    @Option(names = "--allow-dns", paramLabel = "<ip>", description = "With --isolate: also allow DNS to this resolver (repeatable).")
    List<String> allowDns = new ArrayList<>();

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
        PrintWriter out = spec.commandLine().getOut();
        Prompt prompt = Prompt.system();
        EnableWizard.Answers a = fromFlags();
        boolean guided = when == null && prompt.interactive();
        if (!allowDns.isEmpty() && !isolate && !guided) {
            throw new InvalidInputException("--allow-dns goes with --isolate (the DNS it allows is through the VM's firewall)");
        }
        if (!guided && !isolate) {
            return service(prompt, out).enable(request(a, dryRun, yes));
        }
        return guidedOrIsolated(a, guided, prompt, out);
    }

    // ---- enable's guided mode and --isolate (kept apart from the plain path above)

    private int guidedOrIsolated(EnableWizard.Answers a, boolean guided, Prompt prompt, PrintWriter out) {
        if (guided) {
            try {
                a = new EnableWizard(EnableWizard.console(), out, services.clock(), services.monotonic(), PROBE_TIMEOUT).ask(vmid, a);
            } catch (EnableWizard.Aborted e) {
                out.println("no answer; nothing was changed");
                out.flush();
                return 1;
            }
        }
        EnableWizard.Answers answers = a;
        EnableWizard.IsolationStep step = !a.isolate ? null : new EnableWizard.IsolationStep() {
            @Override
            public List<String> preview() {
                return IsolationRenderer.firewall(IsolateCommand.service(services).preview(vmid, answers.targets, answers.dns));
            }

            @Override
            public int apply(boolean show) {
                return IsolateCommand.on(IsolateCommand.service(services), Prompt.NONE, out, vmid, answers.dns, false, true, show);
            }
        };
        int rc;
        if (dryRun) {
            rc = service(prompt, out).enable(request(a, true, yes));
            if (rc == 0 && step != null) {
                step.preview().forEach(out::println);
            }
        } else if (yes && !guided) {
            // resolve the targets and read the firewall first: a name that does not resolve changes nothing
            if (step != null) {
                step.preview();
            }
            rc = service(prompt, out).enable(request(a, false, true));
            if (rc == 0 && step != null) {
                rc = EnableWizard.isolateAfterEnable(step, vmid, true);
            }
        } else {
            rc = EnableWizard.confirmOnce(this::service, request(a, true, yes), request(a, false, yes), step, prompt,
                    guided ? "Apply these changes to VM " + vmid + "? [y/N] " : "Apply? [y/N] ", out);
        }
        if (guided) {
            out.println("the same without questions: " + EnableWizard.command(vmid, a, services.clock().instant()));
            out.flush();
        }
        return rc;
    }

    /** How long the guided mode probes the BMCs (each, concurrently). */
    private static final java.time.Duration PROBE_TIMEOUT = java.time.Duration.ofSeconds(10);

    private EnableWizard.Answers fromFlags() {
        EnableWizard.Answers a = new EnableWizard.Answers();
        a.date = when == null ? null : when.date;
        a.offset = when == null ? null : when.offset;
        a.mode = mode;
        a.zone = zone;
        a.storage = storage;
        a.tolerance = tolerance;
        a.keepTimeSync = keepTimeSync;
        a.onError = onError;
        a.targets = new ArrayList<>(targets);
        a.chain = chain;
        a.isolate = isolate;
        a.dns = new ArrayList<>(allowDns);
        a.guestZone = guestZone;
        return a;
    }

    private EnableService.Request request(EnableWizard.Answers a, boolean dryRun, boolean yes) {
        return new EnableService.Request(vmid, a.date, a.offset, a.mode, a.zone, a.storage, a.tolerance, a.keepTimeSync,
                a.onError, a.targets, a.chain, dryRun, yes, a.guestZone);
    }

    private EnableService service(Prompt prompt, PrintWriter out) {
        return new EnableService(services.paths(), services.env(), services.clock(), services.pve()::asRoot,
                new Detacher(services.env()), prompt,
                new SnippetInstaller(services.paths().pveDir(), services.env(), SnippetInstaller.INSTALLED_COPY), out,
                services.agents());
    }
}

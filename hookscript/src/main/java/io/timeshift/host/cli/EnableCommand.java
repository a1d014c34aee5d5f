package io.timeshift.host.cli;

import io.timeshift.host.admin.EnableService;
import io.timeshift.host.cli.Prompt;
import io.timeshift.host.admin.Rollback;
import io.timeshift.host.admin.SnippetInstaller;
import io.timeshift.host.apply.Detacher;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;
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
            return enable(request(a, dryRun, yes), prompt, out);
        }
        return guidedOrIsolated(a, guided, prompt, out);
    }

    /** The preview, the gate (dry run, confirmation or --yes), the changes and what they did. */
    private int enable(EnableService.Request r, Prompt prompt, PrintWriter out) {
        EnableService svc = service();
        EnableService.Preview p;
        try {
            p = svc.preview(r);
        } catch (EnableService.Refused e) {
            EnableRenderer.invalidPolicy(e.invalidPolicy(), out);
            out.flush();
            throw e.error();
        }
        EnableRenderer.preview(p, out);
        int gate = prompt.gate(r.dryRun(), r.yes(), out, null);
        if (gate != Prompt.GO) {
            return gate;
        }
        return apply(svc, p, prompt, out);
    }

    /** Makes the changes of {@code p}; for a running guest, applies now with --yes or when the admin says so. */
    private static int apply(EnableService svc, EnableService.Preview p, Prompt prompt, PrintWriter out) {
        EnableService.Enabled e;
        try {
            e = svc.apply(p);
        } catch (Rollback.Failed f) {
            throw RollbackRenderer.shown(f, out);
        }
        EnableRenderer.enabled(e, out);
        boolean now = e.canApplyNow()
                && (p.yes() || (prompt.interactive() && prompt.confirm("Apply the policy to the running guest now? [y/N] ")));
        EnableService.Result result = svc.finish(e, now);
        EnableRenderer.finished(result, out);
        return result.exitCode();
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
        IsolationStep step = !a.isolate ? null : new IsolationStep() {
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
            rc = enable(request(a, true, yes), prompt, out);
            if (rc == 0 && step != null) {
                step.preview().forEach(out::println);
            }
        } else if (yes && !guided) {
            // resolve the targets and read the firewall first: a name that does not resolve changes nothing
            if (step != null) {
                step.preview();
            }
            rc = enable(request(a, false, true), prompt, out);
            if (rc == 0 && step != null) {
                rc = isolateAfterEnable(step, vmid, true);
            }
        } else {
            rc = confirmOnce(request(a, true, yes), step, prompt,
                    guided ? "Apply these changes to VM " + vmid + "? [y/N] " : "Apply? [y/N] ", out);
        }
        if (guided) {
            out.println("the same without questions: " + EnableWizard.command(vmid, a, services.clock().instant()));
            out.flush();
        }
        return rc;
    }

    /**
     * Shows the changes of enable and of isolation, asks {@code question} once, then makes them: enable
     * (a running guest's "apply now?" is still asked), then isolation.
     *
     * @param preview the request for the preview (a dry run: a storage without snippets is refused only
     *                when the changes are made, without --yes)
     */
    private int confirmOnce(EnableService.Request preview, IsolationStep isolation, Prompt prompt, String question,
                            PrintWriter out) {
        EnableService svc = service();
        EnableService.Preview p;
        try {
            p = svc.preview(preview);
        } catch (EnableService.Refused e) {
            throw e.error(); // nothing was shown yet: the failure alone
        }
        EnableRenderer.preview(p, out);
        if (isolation != null) {
            isolation.preview().forEach(out::println);
        }
        out.flush();
        if (!prompt.require(false, question)) { // guided: asked even with --yes
            out.println("not confirmed; nothing was changed");
            out.flush();
            return TimeShiftException.CHECK_FAILED;
        }
        int rc = apply(svc, p, prompt, out);
        if (rc != 0 || isolation == null) {
            return rc;
        }
        return isolateAfterEnable(isolation, vmid, false);
    }

    /** The isolation step after a successful enable; its failure says that enable itself stands. */
    private static int isolateAfterEnable(IsolationStep isolation, int vmid, boolean show) {
        try {
            return isolation.apply(show);
        } catch (TimeShiftException e) {
            throw new EnvironmentException(e.getMessage() + "; time-shift itself IS enabled on VM " + vmid
                    + ", only the isolation is missing: run time-shift isolate " + vmid + " on", e);
        }
    }

    /** Isolation's part of enable: its preview lines, and making it. */
    private interface IsolationStep {
        List<String> preview();

        /** Makes the changes; {@code show}: print the preview again first. */
        int apply(boolean show);
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

    private EnableService service() {
        return new EnableService(services.paths(), services.env(), services.clock(), services.pve()::asRoot,
                new Detacher(services.env()),
                new SnippetInstaller(services.paths().pveDir(), services.env(), SnippetInstaller.INSTALLED_COPY),
                services.agents());
    }
}

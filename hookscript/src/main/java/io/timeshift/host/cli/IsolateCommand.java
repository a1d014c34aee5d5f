package io.timeshift.host.cli;

import io.timeshift.host.admin.Isolation;
import io.timeshift.host.admin.IsolationPreview;
import io.timeshift.host.admin.IsolationService;
import io.timeshift.host.cli.Prompt;
import io.timeshift.common.error.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "isolate", mixinStandardHelpOptions = true,
        description = {"Fence a time-shifted VM in with its Proxmox firewall, or undo it. on: an IP set " + Isolation.IPSET
                + " with the", "addresses of the policy's --target BMCs (resolved now), outbound ACCEPT rules to it on their ports,",
                "policy_out DROP, the VM firewall enabled and firewall=1 on every network device, all through the Proxmox",
                "API; what was there is recorded in the policy. off (and disable) restore exactly that; the admin's own",
                "rules and IP sets are never touched. The datacenter firewall must be on for any of it to take effect."},
        footer = {"", "Examples:", "  time-shift isolate 105 on --dry-run", "  time-shift isolate 105 on --allow-dns 192.0.2.53 --yes",
                "  time-shift isolate 105 off --yes"})
public final class IsolateCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<vmid>", converter = VmidConverter.class, description = "The VM (100-999999999).")
    int vmid;

    @Parameters(index = "1", paramLabel = "on|off", description = "on: isolate the VM; off: undo it.")
    String state;

    @Option(names = "--allow-dns", paramLabel = "<ip>", description = "Also allow DNS to this resolver (repeatable; with on).")
    List<String> dns = new ArrayList<>();

    @Option(names = "--dry-run", description = "Only show what would change.")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Do it without asking.")
    boolean yes;

    public IsolateCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        IsolationService svc = service(services);
        PrintWriter out = spec.commandLine().getOut();
        String s = state == null ? "" : state.trim();
        if (s.equals("on")) {
            return on(svc, Prompt.system(), out, vmid, dns, dryRun, yes, true);
        }
        if (s.equals("off")) {
            if (!dns.isEmpty()) {
                throw new InvalidInputException("--allow-dns goes with isolate " + vmid + " on, not off");
            }
            return off(svc, Prompt.system(), out, vmid, dryRun, yes);
        }
        throw new InvalidInputException("isolate " + vmid + ": '" + state + "' is neither on nor off");
    }

    public static IsolationService service(Services services) {
        return new IsolationService(services.paths(), services.env(), services.clock(), services.pve()::asRoot, Isolation.DNS);
    }

    /**
     * {@code isolate <vmid> on}: shows the changes (unless {@code show} is false: enable showed them before
     * its one confirmation), asks, makes them and says what the VM may reach now. Returns the exit code.
     */
    public static int on(IsolationService svc, Prompt prompt, PrintWriter out, int vmid, List<String> dns, boolean dryRun, boolean yes,
                  boolean show) {
        IsolationPreview.On preview = svc.previewOn(vmid, dns, show);
        if (show) {
            print(out, IsolationRenderer.on(preview));
        }
        int gate = prompt.gate(dryRun, yes, out, svc::requireWritable);
        if (gate != Prompt.GO) {
            return gate;
        }
        print(out, IsolationRenderer.on(svc.on(preview, IsolationRenderer.progress(out))));
        return 0;
    }

    /** {@code isolate <vmid> off}: shows what is put back, asks, puts it back. Returns the exit code. */
    public static int off(IsolationService svc, Prompt prompt, PrintWriter out, int vmid, boolean dryRun, boolean yes) {
        IsolationPreview.Off preview = svc.previewOff(vmid);
        print(out, IsolationRenderer.off(preview));
        if (!(preview instanceof IsolationPreview.Undo undo)) {
            return 0;
        }
        int gate = prompt.gate(dryRun, yes, out, svc::requireWritable);
        if (gate != Prompt.GO) {
            return gate;
        }
        print(out, IsolationRenderer.off(svc.off(undo, IsolationRenderer.progress(out))));
        return 0;
    }

    private static void print(PrintWriter out, List<String> lines) {
        for (String l : lines) {
            out.println(l);
        }
        out.flush();
    }
}

package io.timeshift.host.cli;

import io.timeshift.host.admin.Actor;
import io.timeshift.host.apply.ApplyRecord;
import io.timeshift.host.apply.ApplyWorker;
import io.timeshift.host.io.LogLines;
import io.timeshift.host.io.PrintStreamLines;
import io.timeshift.host.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

@Command(name = "apply", description = "Apply the VM's policy to the running VM now, wait for the agent, verify and report.",
        footer = {"", "Examples:", "  time-shift apply 105", "  time-shift apply 105 --json --no-hold"})
public final class ApplyCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<vmid>", converter = VmidConverter.class)
    int vmid;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--no-hold", description = "Do not watch the clock for the hold period after applying.")
    boolean noHold;

    @Option(names = "--worker", hidden = true, description = "Started detached by the post-start hook.")
    boolean worker;

    public ApplyCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        LogLines log = new PrintStreamLines(worker ? System.out : System.err);
        ApplyWorker w = new ApplyWorker(services.paths(), services.config(), services.clock(), services.monotonic(),
                services.agents(), d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000), log,
                worker ? "hook" : Actor.of(services.env()));
        if (new io.timeshift.host.apply.Detacher(services.env()).findOnPath("pvesh") != null) {
            // on a Proxmox node: keep the VM's Notes line current (contract: "What the Proxmox GUI shows")
            w.withListener(new io.timeshift.host.apply.NotesUpdater(services.paths(), () -> services.pve().preferred(), log));
        }
        ApplyRecord r = w.apply(vmid, worker, worker || !noHold);
        if (json) {
            spec.commandLine().getOut().print(new String(Json.pretty(r.toJson()), java.nio.charset.StandardCharsets.UTF_8));
        } else if (!worker) {
            spec.commandLine().getOut().println("VM " + vmid + ": " + r.result().id + ": " + r.message());
        }
        spec.commandLine().getOut().flush();
        return r.ok() ? 0 : 1;
    }
}

package io.timeshift.host.cli;

import io.timeshift.host.admin.DoctorService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check what time-shift needs on this node: Java, Proxmox, pmxcfs writable (quorum), state and log",
                "directories, every policy valid and owned by a VM, the hook snippet present and executable where each",
                "VM's hookscript points, and the snippets content type on the storages in use. Each problem comes with",
                "the command that fixes it; exit 1 when there is any."},
        footer = {"", "Examples:", "  time-shift doctor", "  time-shift doctor --json"})
public final class DoctorCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "One JSON object: ok, node, checks [{check, ok, detail, fix}].")
    boolean json;

    public DoctorCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        return new DoctorService(services.paths(), services.pve()::preferred).doctor(json, spec.commandLine().getOut());
    }
}

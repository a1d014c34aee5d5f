package io.timeshift.host.cli;

import io.timeshift.host.admin.DoctorService;
import io.timeshift.host.cluster.RemoteSpec;
import io.timeshift.pve.api.PveClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check what time-shift needs on this node: Java, Proxmox, pmxcfs writable (quorum), state and log",
                "directories, every policy valid and owned by a VM, the hook snippet present and executable where each",
                "VM's hookscript points, the snippets content type on the storages in use, and the snippet on every",
                "other node a VM with a policy could start on. Each problem comes with the command that fixes it; exit 1",
                "when there is any. With --remote, only what the API shows (this machine's files are not checked)."},
        footer = {"", "Examples:", "  time-shift doctor", "  time-shift doctor --json",
                "  time-shift doctor --remote https://pve1:8006 --token-file t --ca pve-root-ca.pem"})
public final class DoctorCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "One JSON object: ok, node, remote, checks [{check, ok, detail, fix}], notes.")
    boolean json;

    @Mixin
    RemoteOptions remote = new RemoteOptions();

    public DoctorCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        RemoteSpec target = remote.spec(spec.commandLine().getErr());
        DoctorService doctor = new DoctorService(services.paths(), services.pve()::preferred, services.pve()::asRoot)
                .clock(services.clock());
        if (!target.remote()) {
            return DoctorRenderer.render(doctor.doctor(), json, spec.commandLine().getOut());
        }
        try (PveClient client = services.pve().open(target)) {
            return DoctorRenderer.render(doctor.doctorRemote(client, target.endpoint()), json, spec.commandLine().getOut());
        }
    }
}

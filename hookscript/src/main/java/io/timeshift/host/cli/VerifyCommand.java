package io.timeshift.host.cli;

import io.timeshift.host.admin.VerifyReport;
import io.timeshift.host.admin.VerifyService;
import io.timeshift.host.cluster.RemoteSpec;
import io.timeshift.pve.api.PveClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check a running VM against its policy through the guest agent: the guest clock within tolerance,",
                "the guest's time sync off, and (when time-shift-guest is installed in the guest) its own verify.",
                "Exit 1 when anything is off, one line per finding with its fix. With --remote, the guest clock through",
                "the API's agent/get-time against the policy file (which must be readable here)."},
        footer = {"", "Examples:", "  time-shift verify 105", "  time-shift verify 105 --json",
                "  time-shift verify 105 --remote https://pve1:8006 --token-file t --ca pve-root-ca.pem"})
public final class VerifyCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<vmid>", converter = VmidConverter.class, description = "The VM (100-999999999).")
    int vmid;

    @Option(names = "--json", description = "One JSON object: guestTime, expectedTime, driftMs, timeSync, guestVerify, findings.")
    boolean json;

    @Mixin
    RemoteOptions remote = new RemoteOptions();

    public VerifyCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        RemoteSpec target = remote.spec(spec.commandLine().getErr());
        VerifyService verify = new VerifyService(services.paths(), services.env(), services.clock(), services.agents());
        if (!target.remote()) {
            VerifyReport report = verify.verify(vmid);
            int code = VerifyRenderer.render(report, json, spec.commandLine().getOut());
            VerifyRenderer.warnings(verify.audit(report), spec.commandLine().getOut());
            return code;
        }
        try (PveClient client = services.pve().open(target)) {
            return VerifyRenderer.render(verify.verifyRemote(client, target.endpoint(), vmid), json, spec.commandLine().getOut());
        }
    }
}

package io.timeshift.host.cli;

import io.timeshift.host.hook.HookMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** Documents {@code hook} in --help; the real dispatch happens in Main before picocli is loaded. */
@Command(name = "hook", description = {"What Proxmox runs through the snippet: time-shift hook <vmid> <phase>.",
        "No policy: exit 0 silently. Unknown phase: exit 0 with a warning. Only pre-start may fail, with onError=abort."})
public final class HookCommand implements Callable<Integer> {
    private final Services services;

    @Parameters(index = "0", paramLabel = "<vmid>")
    String vmid;

    @Parameters(index = "1", paramLabel = "<phase>", description = "pre-start, post-start, pre-stop or post-stop")
    String phase;

    public HookCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        return HookMain.run(new String[] {"hook", vmid, phase}, services.env(), System.out, System.err);
    }
}

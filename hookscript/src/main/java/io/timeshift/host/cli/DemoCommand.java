package io.timeshift.host.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "demo", description = "Without Proxmox: boot a tiny test VM the way qemu-server would and show the guest entering shifted time.")
public final class DemoCommand implements Callable<Integer> {
    private final Services services;

    public DemoCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        throw new io.timeshift.pve.error.EnvironmentException("demo: not available yet");
    }
}

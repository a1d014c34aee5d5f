package io.timeshift.host.cli;

import io.timeshift.host.cluster.PveClients;
import io.timeshift.host.env.HostConfig;
import io.timeshift.host.env.HostPaths;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.common.time.Monotonic;

import java.time.Clock;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * What commands need from the outside world, built once in {@link Cli} and passed to every command:
 * paths, config, clocks, the agent factory, the environment, the Proxmox API clients ({@link PveClients}:
 * {@code --remote} HTTPS, the api-setup token, or pvesh as root). Tests construct their own.
 */
public record Services(HostPaths paths, Map<String, String> env, Clock clock, Monotonic monotonic,
                       IntFunction<QgaClient> agents, PveClients pve) {

    /** Without an explicit {@link PveClients}: the production wiring (nothing starts until used). */
    public Services(HostPaths paths, Map<String, String> env, Clock clock, Monotonic monotonic,
                    IntFunction<QgaClient> agents) {
        this(paths, env, clock, monotonic, agents, PveClients.fromEnvironment(paths, env));
    }

    public static Services fromEnvironment(Map<String, String> env) {
        HostPaths paths = HostPaths.fromEnv(env);
        return new Services(paths, env, Clock.systemUTC(), Monotonic.SYSTEM,
                id -> QgaClient.forSocket(id, paths.qgaSocket(id)));
    }

    /** Node-wide config, loaded when a command needs it (an invalid file is exit 2 then). */
    public HostConfig config() {
        return HostConfig.load(paths.configFile());
    }
}

package io.timeshift.host.env;

import java.nio.file.Path;
import java.util.Map;

/**
 * Every file and socket location the host side uses, resolved once from the environment overrides of
 * the contract ({@code TIME_SHIFT_PVE_DIR}, {@code TIME_SHIFT_RUN_DIR}, {@code TIME_SHIFT_STATE_DIR},
 * {@code TIME_SHIFT_LOG_DIR}, {@code TIME_SHIFT_CONFIG}). Nothing else in the code builds these paths.
 */
public record HostPaths(Path pveDir, Path runDir, Path stateDir, Path logDir, Path configFile) {
    /** File name of {@link #tokenFile()} under {@code <pve>/priv/}. */
    public static final String TOKEN_FILE_NAME = "time-shift-token";

    public static HostPaths fromEnv(Map<String, String> env) {
        return new HostPaths(
                Path.of(env.getOrDefault("TIME_SHIFT_PVE_DIR", "/etc/pve")),
                Path.of(env.getOrDefault("TIME_SHIFT_RUN_DIR", "/var/run/qemu-server")),
                Path.of(env.getOrDefault("TIME_SHIFT_STATE_DIR", "/var/lib/time-shift")),
                Path.of(env.getOrDefault("TIME_SHIFT_LOG_DIR", "/var/log/time-shift")),
                Path.of(env.getOrDefault("TIME_SHIFT_CONFIG", "/etc/time-shift/time-shift.json")));
    }

    /** Cluster-wide policy directory on pmxcfs. */
    public Path policyDir() {
        return pveDir.resolve("time-shift");
    }

    public Path policyFile(int vmid) {
        return policyDir().resolve(vmid + ".json");
    }

    /** Continue mode mirrors the guest time at stop here, so it follows the VM to another node. */
    public Path clockMirror(int vmid) {
        return policyDir().resolve(vmid + ".clock.json");
    }

    /** This node's VM configs ({@code <pve>/qemu-server}, pmxcfs's link to {@code nodes/<node>/qemu-server}). */
    public Path qemuServerDir() {
        return pveDir.resolve("qemu-server");
    }

    public Path vmConf(int vmid) {
        return qemuServerDir().resolve(vmid + ".conf");
    }

    /** The API token {@code time-shift api-setup} stores (root-only, mode 0600). */
    public Path tokenFile() {
        return pveDir.resolve("priv").resolve(TOKEN_FILE_NAME);
    }

    /** QEMU's pid file (qemu-server passes {@code -pidfile}). */
    public Path pidFile(int vmid) {
        return runDir.resolve(vmid + ".pid");
    }

    public Path qgaSocket(int vmid) {
        return runDir.resolve(vmid + ".qga");
    }

    public Path stateFile(int vmid) {
        return stateDir.resolve(vmid + ".json");
    }

    /** Held (flock) by the one apply worker of a VM. */
    public Path workerLock(int vmid) {
        return stateDir.resolve(vmid + ".lock");
    }

    public Path auditLog() {
        return logDir.resolve("audit.jsonl");
    }

    public Path workerLog(int vmid) {
        return logDir.resolve("worker-" + vmid + ".log");
    }
}

package io.timeshift.host.hook;

import java.util.List;

/**
 * The workers a hook phase can leave behind, and the one protocol that starts them: the hook's JVM
 * exits with {@link #exitCode()} and the shell launcher (packaging/bin/time-shift), once the JVM is gone,
 * starts {@code time-shift <args(vmid)>} detached. Without the launcher ({@code TIME_SHIFT_DETACH} unset)
 * the hook spawns the same command itself. A plain enum, no lambdas: it is on the hook path.
 */
public enum Detach {
    /** post-start: {@code time-shift apply <vmid> --worker} sets the guest clock once its agent answers. */
    APPLY(75, "apply", "--worker"),
    /** post-stop: {@code time-shift rearm <vmid>} sets {@code startdate} for the next cold start. */
    REARM(76, "rearm", null);

    private final int exitCode;
    private final String command;
    private final String flag;

    Detach(int exitCode, String command, String flag) {
        this.exitCode = exitCode;
        this.command = command;
        this.flag = flag;
    }

    /** The hook JVM's exit code that asks the launcher for this worker. */
    public int exitCode() {
        return exitCode;
    }

    /** The worker's time-shift arguments for a VM. */
    public List<String> args(int vmid) {
        return flag == null ? List.of(command, Integer.toString(vmid)) : List.of(command, Integer.toString(vmid), flag);
    }

    /** The worker an exit code asks for, or null for any other code. */
    public static Detach ofExitCode(int code) {
        for (Detach d : values()) {
            if (d.exitCode == code) {
                return d;
            }
        }
        return null;
    }
}

package io.timeshift.host.admin;

import io.timeshift.pve.qga.AgentErrorException;
import io.timeshift.pve.qga.AgentErrorKind;
import io.timeshift.pve.qga.ExecResult;
import io.timeshift.pve.qga.QgaClient;

import java.time.Duration;

/**
 * Runs {@code /usr/bin/time-shift-guest} inside the VM through {@code guest-exec} (argv, no shell).
 * qemu-ga reports a program it cannot start as an agent error ("Failed to execute child process ...
 * (No such file or directory)", glib's spawn message); a wrapper that cannot find it exits 127 (126 when
 * not executable). Both mean "not installed".
 */
public final class GuestTool {
    public static final String PATH = "/usr/bin/time-shift-guest";
    public static final String INSTALL_HINT = "install time-shift-guest in the VM (apt install ./time-shift-guest_*.deb)";

    /** {@code installed} false means the other fields are empty. */
    public record Result(boolean installed, int exitCode, String out, String err) {
        static final Result MISSING = new Result(false, -1, "", "");

        public String firstErrLine() {
            String s = err.isBlank() ? out : err;
            return s.lines().filter(l -> !l.isBlank()).findFirst().orElse("no output").trim();
        }
    }

    private GuestTool() {
    }

    public static Result run(QgaClient agent, Duration timeout, String... args) {
        ExecResult r;
        try {
            r = agent.run(timeout, PATH, args);
        } catch (AgentErrorException e) {
            String d = e.desc() == null ? "" : e.desc();
            if (e.kind() == AgentErrorKind.UNSUPPORTED || e.kind() == AgentErrorKind.DISABLED) {
                throw e; // guest-exec itself is missing or blocked: not the tool (docs/qga-errors.md)
            }
            if (d.contains("No such file") || d.contains("Failed to execute") || d.contains("not found")) {
                return Result.MISSING;
            }
            throw e;
        }
        if (r.exitCode() == 127 || r.exitCode() == 126) {
            return Result.MISSING;
        }
        return new Result(true, r.exitCode(), r.out(), r.err());
    }
}

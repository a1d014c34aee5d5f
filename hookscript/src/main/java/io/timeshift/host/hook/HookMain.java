package io.timeshift.host.hook;

import io.timeshift.common.text.Sanitizer;

import io.timeshift.host.apply.Detacher;
import io.timeshift.host.env.HostConfig;
import io.timeshift.host.env.HostPaths;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.pve.qga.QgaClient;

import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Map;

/** The lean hook path: hand-parsed arguments, then {@link HookService}. */
public final class HookMain {
    private HookMain() {
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length != 3) {
            err.println("usage: time-shift hook <vmid> <phase>   (what Proxmox runs through the snippet;"
                    + " phases: pre-start, post-start, pre-stop, post-stop)");
            return 2;
        }
        int vmid = Vmid.parse(args[1]);
        if (vmid < 0) {
            err.println("time-shift hook: '" + Vmid.shown(args[1]) + "' is not a VMID (100-999999999)");
            return 2;
        }
        HostPaths paths = HostPaths.fromEnv(env);
        if (!Files.exists(paths.policyFile(vmid))) {
            return 0; // fast path: most VMs a shared snippet might be attached to have no policy
        }
        try {
            return WithPolicy.run(paths, vmid, args[2], env, out, err);
        } catch (Throwable t) {
            return Last.resort(paths, vmid, args[2], t, err);
        }
    }

    /**
     * Whatever escaped the phase (a bug, a StackOverflowError, an OutOfMemoryError): one line, and the
     * phase's exit policy: 0, except pre-start under {@code onError: abort} (3, environment), read from
     * the policy file once more. Never throws.
     */
    static final class Last {
        static int resort(HostPaths paths, int vmid, String phase, Throwable t, PrintStream err) {
            boolean abort = false;
            try {
                abort = "pre-start".equals(phase) && io.timeshift.host.policy.PolicyParser.saysAbort(
                        Files.readString(paths.policyFile(vmid), java.nio.charset.StandardCharsets.UTF_8));
            } catch (Throwable ignored) {
                // unreadable: warn
            }
            try {
                err.println(io.timeshift.common.text.Sanitizer.line("time-shift: VM " + vmid + " "
                        + io.timeshift.common.text.Sanitizer.value(phase) + ": internal error " + t.getClass().getSimpleName()
                        + ": " + t.getMessage() + (abort ? " (onError=abort: start refused)" : "; the clock is not shifted")));
            } catch (Throwable ignored) {
                // nothing left to say it with
            }
            return abort ? TimeShiftException.ENVIRONMENT : 0;
        }
    }

    /**
     * Its own class: the verifier would otherwise load the exception and service types of this path
     * (and open the pve-api jar) for the no-policy path too.
     */
    private static final class WithPolicy {

    /** Kept apart so the no-policy path never loads (or even verifies against) the heavier classes. */
    static int run(HostPaths paths, int vmid, String phase, Map<String, String> env, PrintStream out,
                                  PrintStream err) {
        HostConfig config;
        try {
            config = HostConfig.load(paths.configFile());
        } catch (TimeShiftException e) {
            err.println("time-shift: VM " + vmid + " " + phase + ": " + e.getMessage() + "; using built-in defaults");
            config = HostConfig.DEFAULTS;
        }
        HookService hook = new HookService(paths, config, env, Clock.systemUTC(), out, err, new Detacher(env),
                new Agents(paths));
        // the launcher starts the worker an outcome leaves (its Detach exit code) once this JVM is gone
        return hook.handle(vmid, phase).processExitCode();
    }
}

    /** The agent of a VM (a named class: no lambda bootstrap on the hook path). */
    private static final class Agents implements java.util.function.IntFunction<QgaClient> {
        private final HostPaths paths;

        Agents(HostPaths paths) {
            this.paths = paths;
        }

        @Override
        public QgaClient apply(int vmid) {
            return QgaClient.forSocket(vmid, paths.qgaSocket(vmid));
        }
    }
}

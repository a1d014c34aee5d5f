package io.timeshift.host.hook;

import io.timeshift.host.apply.Detacher;
import io.timeshift.host.env.HostConfig;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyParser;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.common.text.Sanitizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * What Proxmox runs for every phase of a VM with our hookscript. Exit policy (deliberate, because a
 * non-zero pre-start aborts the VM start):
 * <ul>
 *   <li>no policy: exit 0, print nothing (the snippet may be attached to VMs we do not manage);</li>
 *   <li>unknown phase: exit 0 with one warning line (a future Proxmox phase must never break a start);</li>
 *   <li>any failure: one line on stderr and exit 0, except pre-start when the policy says
 *       {@code onError: abort} (then the failure's exit code, and Proxmox does not start the VM);</li>
 *   <li>slow work (waiting for the agent, writing the VM config) happens in detached workers: the
 *       config lock is held during every phase (docs/pve-facts.md §1.2), so the hook never writes VM config.</li>
 * </ul>
 * The class only touches light classes (LightJson, the QGA client in pre-stop): the hook is a fresh JVM.
 */
public final class HookService {
    private final HookContext ctx;

    public HookService(HostPaths paths, HostConfig config, Map<String, String> env, Clock clock, PrintStream out,
                       PrintStream err, Detacher detacher, IntFunction<QgaClient> agents) {
        this.ctx = new HookContext(paths, config, env, clock, out, err, detacher, agents);
    }

    /**
     * Runs one phase for a VM and returns its outcome: the exit code Proxmox sees and the worker to
     * detach, if any ({@link Outcome#processExitCode()} is what the hook JVM exits with).
     */
    public Outcome handle(int vmid, String phaseName) {
        Phase phase = Phase.parse(phaseName);
        PolicyStore policies = new PolicyStore(ctx.paths);
        Optional<String> text;
        try {
            text = policies.readText(vmid);
        } catch (TimeShiftException e) {
            ctx.err.println("time-shift: VM " + vmid + " " + phaseName + ": " + e.getMessage());
            return Outcome.OK;
        }
        if (text.isEmpty()) {
            return Outcome.OK;
        }
        if (phase == null) {
            ctx.err.println("time-shift: VM " + vmid + ": unknown hook phase '" + Sanitizer.value(phaseName)
                    + "' ignored (known: pre-start, post-start, pre-stop, post-stop)");
            return Outcome.OK;
        }
        Policy policy;
        try {
            policy = PolicyParser.parse(text.get(), vmid, policies.file(vmid).toString());
        } catch (TimeShiftException e) {
            boolean abort = phase == Phase.PRE_START && PolicyParser.saysAbort(text.get());
            // Proxmox would have run the hookscript we replaced whatever our policy says: run it first
            int chained = runChain(vmid, phase, PolicyParser.chainOf(text.get()), abort);
            if (chained != 0 && phase == Phase.PRE_START) {
                ctx.audit(vmid, "hook-" + phase.id(), Map.of("result", "invalid-policy", "message", e.getMessage()));
                return Outcome.exit(chained);
            }
            ctx.err.println(Sanitizer.line("time-shift: VM " + vmid + " " + phase.id() + ": " + e.getMessage()
                    + (abort ? " (onError=abort: start refused; fix the file or run time-shift disable " + vmid + ")"
                    : "; the clock is not shifted (fix the file, or time-shift disable " + vmid + ")")));
            ctx.audit(vmid, "hook-" + phase.id(), Map.of("result", "invalid-policy", "message", e.getMessage()));
            return Outcome.exit(abort ? e.exitCode() : 0);
        }
        int chained = runChain(vmid, phase, policy.chain(), phase == Phase.PRE_START && policy.abortOnError());
        if (chained != 0 && phase == Phase.PRE_START) {
            return Outcome.exit(chained);
        }
        try {
            return handler(phase).run(vmid, policy);
        } catch (RuntimeException | Error e) {
            // our typed failures, and also a bug of ours or an Error the JVM survives (stack overflow, out of
            // memory): none may block a start the policy lets go ahead
            String msg = e instanceof TimeShiftException ? e.getMessage()
                    : Sanitizer.line("internal error " + e.getClass().getSimpleName() + ": " + e.getMessage());
            // a migration target's pre-start never fails: the guest is already running on the source
            boolean abort = phase == Phase.PRE_START && policy.abortOnError() && !ctx.migrated();
            ctx.err.println(Sanitizer.line("time-shift: VM " + vmid + " " + phase.id() + ": " + msg
                    + (abort ? " (onError=abort: start refused)" : "")));
            ctx.audit(vmid, "hook-" + phase.id(), Map.of("result", "error", "message", msg));
            return Outcome.exit(!abort ? 0 : e instanceof TimeShiftException t ? t.exitCode() : TimeShiftException.ENVIRONMENT);
        }
    }

    /** The handler of a phase: one class per phase, only that one loaded. */
    private PhaseHandler handler(Phase phase) {
        if (phase == Phase.PRE_START) {
            return new PreStart(ctx);
        }
        if (phase == Phase.POST_START) {
            return new PostStart(ctx);
        }
        if (phase == Phase.PRE_STOP) {
            return new PreStop(ctx);
        }
        return new PostStop(ctx);
    }

    /** The proc file system the starting task is looked up in ({@code /proc}; a fake tree in tests). */
    public HookService procDir(Path dir) {
        ctx.procDir = dir;
        return this;
    }

    /**
     * Runs the hookscript that was attached before ours ({@code enable --chain}) with the same arguments,
     * as Proxmox would have run it. Its own non-zero pre-start refuses the start (Proxmox's
     * {@code exec_hookscript} dies for pre-start only). A chained script that is missing or cannot run is
     * our environment's problem: a warning, or exit 3 in pre-start when the policy says
     * {@code onError: abort} (docs/contract.md "Chained hookscript").
     *
     * @param chain the chained volume id, or null
     * @return 0 to go on, or the exit code that refuses the start
     */
    private int runChain(int vmid, Phase phase, String chain, boolean abort) {
        if (chain == null) {
            return 0;
        }
        Path script = SnippetPaths.resolve(chain, ctx.paths.pveDir());
        String problem = null;
        if (script == null || !Files.isRegularFile(script) || !Files.isExecutable(script)) {
            problem = "not found or not executable" + (script == null ? "" : " at " + script);
        } else {
            try {
                Process p = new ProcessBuilder(script.toString(), Integer.toString(vmid), phase.id()).inheritIO().start();
                int rc = p.waitFor();
                if (rc != 0 && phase == Phase.PRE_START) {
                    ctx.err.println(Sanitizer.line("time-shift: VM " + vmid + ": chained hookscript " + chain
                            + " failed pre-start (exit " + rc + "); start refused as it would have been without time-shift"));
                    return rc;
                }
                return 0;
            } catch (IOException e) {
                problem = "cannot be run: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problem = "was interrupted";
            }
        }
        ctx.err.println(Sanitizer.line("time-shift: VM " + vmid + " " + phase.id() + ": chained hookscript " + chain + " "
                + problem + (abort ? " (onError=abort: start refused; fix the snippet or run time-shift disable " + vmid + ")"
                : "; going on without it (fix the snippet, or re-run time-shift enable)")));
        return abort ? TimeShiftException.ENVIRONMENT : 0;
    }
}

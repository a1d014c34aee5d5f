package io.timeshift.host;

import io.timeshift.common.error.TimeShiftException;

import io.timeshift.common.text.Sanitizer;

import io.timeshift.host.hook.HookMain;

/**
 * Entry point of {@code time-shift}. The hook path ({@code time-shift hook <vmid> <phase>}, a fresh JVM
 * for every phase of every VM) is dispatched before anything heavy is touched: no picocli command tree,
 * no ObjectMapper, no HTTP client. Everything else goes to the picocli CLI, which lives in another class
 * so that its classes are not even loaded on the hook path.
 */
public final class Main {
    private Main() {
    }

    /** The CLI; an Error the JVM survives (stack overflow, out of memory) is one line and exit 3, not a trace. */
    private static int cli(String[] args) {
        try {
            return io.timeshift.host.cli.Cli.run(args);
        } catch (Throwable t) {
            boolean verbose = false;
            for (String a : args) {
                verbose |= "-v".equals(a) || "--verbose".equals(a);
            }
            if (verbose) {
                t.printStackTrace();
            }
            System.err.println(io.timeshift.common.text.Sanitizer.line("time-shift: unexpected " + t.getClass().getSimpleName()
                    + ": " + t.getMessage() + (verbose ? "" : " (run with --verbose for details)")));
            return io.timeshift.common.error.TimeShiftException.ENVIRONMENT;
        }
    }

    public static void main(String[] args) {
        int code;
        if (args.length > 0 && "hook".equals(args[0])) {
            code = HookMain.run(args, System.getenv(), System.out, System.err);
        } else if (args.length == 2 && "hook-train".equals(args[0])) {
            // for the AppCDS archive (packaging's cds-generate, in a sandbox tree): every phase in one JVM,
            // so the archive holds the classes of all four, not only of the first
            code = 0;
            for (String phase : new String[] {"pre-start", "post-start", "pre-stop", "post-stop"}) {
                code |= HookMain.run(new String[] {"hook", args[1], phase}, System.getenv(), System.out, System.err);
            }
        } else {
            code = cli(args);
        }
        System.out.flush();
        System.exit(code);
    }
}

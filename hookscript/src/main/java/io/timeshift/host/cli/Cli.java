package io.timeshift.host.cli;

import io.timeshift.common.error.TimeShiftException;
import io.timeshift.common.text.Sanitizer;
import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * Builds the picocli command tree and maps every failure to an exit code and one line on stderr, in
 * this one place: {@link TimeShiftException#exitCode()} for our typed errors, 2 for usage errors, 3 for
 * anything unexpected. Stack traces only with {@code -v/--verbose}.
 */
public final class Cli {
    private Cli() {
    }

    public static int run(String... args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        return run(Services.fromEnvironment(System.getenv()), out, err, args);
    }

    public static int run(Services services, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(services);
        cl.setOut(out);
        cl.setErr(err);
        boolean verbose = java.util.Arrays.stream(args).anyMatch(a -> a.equals("-v") || a.equals("--verbose"));
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            // one line, as every error: what is wrong and where to look
            err.println(Sanitizer.line("time-shift: " + ex.getMessage() + " (see: " + c.getCommandSpec().qualifiedName() + " --help)"));
            return TimeShiftException.INVALID_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (verbose) {
                ex.printStackTrace(err);
            }
            if (ex instanceof TimeShiftException t) {
                err.println("time-shift: " + t.getMessage());
                return t.exitCode();
            }
            err.println(Sanitizer.line("time-shift: unexpected " + ex.getClass().getSimpleName() + ": " + ex.getMessage()
                    + (verbose ? "" : " (run with --verbose for details)")));
            return TimeShiftException.ENVIRONMENT;
        });
        return cl.execute(args);
    }

    /** The demo's command (module {@code demo}): on a checkout's class path, not in the installed package. */
    static final String DEMO_COMMAND = "io.timeshift.host.demo.DemoCommand";

    public static CommandLine commandLine(Services services) {
        Factory factory = new Factory(services);
        CommandLine cl = new CommandLine(new TimeShiftCommand(), factory);
        try {
            cl.addSubcommand(new CommandLine(Class.forName(DEMO_COMMAND), factory));
        } catch (ClassNotFoundException e) {
            // installed package: no demo (it needs a checkout's tools and images)
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /** Constructs commands with the services they need (no static singletons). */
    static final class Factory implements CommandLine.IFactory {
        private final Services services;

        Factory(Services services) {
            this.services = services;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                return cls.getDeclaredConstructor(Services.class).newInstance(services);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }

}

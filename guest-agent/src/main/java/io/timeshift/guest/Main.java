package io.timeshift.guest;

import io.timeshift.guest.cli.ErrorHandler;
import io.timeshift.guest.cli.GuestCommand;
import io.timeshift.guest.cli.HoldCommand;
import io.timeshift.guest.cli.PlanCommand;
import io.timeshift.guest.cli.ProbeCommand;
import io.timeshift.guest.cli.VerifyCommand;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * Entry point of {@code time-shift-guest}. Builds the object graph once (a hand-written picocli
 * factory hands the {@link GuestContext} to the commands) and maps the outcome to an exit code in
 * {@link ErrorHandler}; {@code main} only exits with what {@link #run} returns.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8));
        int code = run(out, err, args);
        System.exit(code);
    }

    /** Runs with the real clock, commands and filesystem; {@code TIME_SHIFT_GUEST_DIR} from the environment. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(GuestContext.system(System.getenv()), out, err, args);
    }

    /** Runs with an injected context (tests). Flushes both writers. */
    public static int run(GuestContext ctx, PrintWriter out, PrintWriter err, String... args) {
        ErrorHandler errors = new ErrorHandler();
        CommandLine cmd = new CommandLine(GuestCommand.class, new Factory(ctx))
                .setOut(out)
                .setErr(err)
                .setExecutionExceptionHandler(errors)
                .setParameterExceptionHandler(errors)
                .setCaseInsensitiveEnumValuesAllowed(true);
        try {
            return cmd.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static final class Factory implements CommandLine.IFactory {
        private final GuestContext ctx;

        Factory(GuestContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            Object o;
            if (cls == ProbeCommand.class) {
                o = new ProbeCommand(ctx);
            } else if (cls == PlanCommand.class) {
                o = new PlanCommand(ctx);
            } else if (cls == VerifyCommand.class) {
                o = new VerifyCommand(ctx);
            } else if (cls == HoldCommand.class) {
                o = new HoldCommand(ctx);
            } else {
                return CommandLine.defaultFactory().create(cls);
            }
            return cls.cast(o);
        }
    }
}

package io.timeshift.guest.cli;

import io.timeshift.common.error.TimeShiftException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The one place where failures become output and exit codes. Typed {@link TimeShiftException}s carry
 * their exit code (1 check failed, 2 invalid input, 3 environment); argument errors are 2; anything
 * else is a bug, reported as exit 3. One line on stderr; the stack trace only with {@code --verbose}.
 */
public final class ErrorHandler implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        if (ex instanceof TimeShiftException g) {
            err.println("error: " + g.getMessage());
            trace(ex, err, parseResult);
            return g.exitCode();
        }
        err.println("error: internal error: " + ex + (verbose(parseResult) ? "" : " (run with --verbose for the stack trace)"));
        trace(ex, err, parseResult);
        return TimeShiftException.ENVIRONMENT;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        Throwable cause = ex.getCause();
        String message = cause instanceof TimeShiftException g ? g.getMessage() : ex.getMessage();
        cmd.getErr().println("error: " + message + " (see '" + name + " --help')");
        return TimeShiftException.INVALID_INPUT;
    }

    private static void trace(Exception ex, PrintWriter err, CommandLine.ParseResult parseResult) {
        if (verbose(parseResult)) {
            ex.printStackTrace(err);
        }
    }

    static boolean verbose(CommandLine.ParseResult pr) {
        for (CommandLine.ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}

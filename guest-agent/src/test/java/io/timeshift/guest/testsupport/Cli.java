package io.timeshift.guest.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.timeshift.guest.GuestContext;
import io.timeshift.guest.Main;
import io.timeshift.guest.json.Json;
import io.timeshift.guest.sys.CommandRunner;
import io.timeshift.guest.sys.ProcessCommandRunner;
import io.timeshift.common.time.Monotonic;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;

/** Runs {@link Main#run} in-process with an injected context and captures both streams. */
public final class Cli {
    private static final ObjectMapper MAPPER = Json.mapper();

    private Cli() {
    }

    public record Run(int exitCode, String out, String err) {
        public JsonNode json() {
            try {
                return MAPPER.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("stdout is not JSON:\n" + out + "\nstderr:\n" + err, e);
            }
        }
    }

    public static GuestContext context(Clock clock, CommandRunner runner, Path root, Path guestDir) {
        return context(clock, Monotonic.SYSTEM, runner, root, guestDir);
    }

    public static GuestContext context(Clock clock, Monotonic monotonic, CommandRunner runner, Path root, Path guestDir) {
        return new GuestContext(clock, monotonic, runner, root, guestDir, GuestContext.memoize(Json::mapper));
    }

    public static GuestContext context(Clock clock) {
        return context(clock, new ProcessCommandRunner(), Path.of("/nonexistent-root"), Path.of("/nonexistent-guest-dir"));
    }

    public static Run run(GuestContext ctx, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(ctx, new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }
}

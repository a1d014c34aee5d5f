package io.timeshift.guest.testsupport;

import io.timeshift.guest.sys.CommandResult;
import io.timeshift.guest.sys.CommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A {@link CommandRunner} that answers from a script keyed by the exact command line and records
 * every call, in order. Unscripted commands answer like a missing program (exit 127).
 */
public final class ScriptedRunner implements CommandRunner {
    private final Map<String, Supplier<CommandResult>> script = new LinkedHashMap<>();
    private final List<String> calls = new ArrayList<>();

    public ScriptedRunner on(String commandLine, int exit, String stdout) {
        script.put(commandLine, () -> new CommandResult(exit, stdout, exit == 0 ? "" : stdout));
        return this;
    }

    /** Runs {@code effect} when the command is called (e.g. hwclock moving a test clock). */
    public ScriptedRunner on(String commandLine, Runnable effect) {
        script.put(commandLine, () -> {
            effect.run();
            return new CommandResult(0, "", "");
        });
        return this;
    }

    @Override
    public synchronized CommandResult run(List<String> argv, Duration timeout) {
        String line = String.join(" ", argv);
        calls.add(line);
        Supplier<CommandResult> r = script.get(line);
        return r != null ? r.get() : new CommandResult(NOT_FOUND, "", argv.get(0) + ": not scripted: " + line);
    }

    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    /** The command line SystemdUnits sends for {@code units}. */
    public static String showCommand(List<String> units) {
        return "systemctl show --property=Id,LoadState,ActiveState,UnitFileState " + String.join(" ", units);
    }

    /** One {@code systemctl show} block. */
    public static String block(String id, String load, String active, String unitFile) {
        return "Id=" + id + "\nLoadState=" + load + "\nActiveState=" + active + "\nUnitFileState=" + unitFile + "\n";
    }
}

package io.timeshift.host.testing;

import io.timeshift.host.apply.Detacher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A {@link Detacher} that starts nothing: it records what it was asked to run and hands out fake pids. */
public final class RecordingDetacher extends Detacher {
    /** One spawn request: the time-shift arguments and the log file. */
    public record Spawn(List<String> args, Path logFile, long pid) {
    }

    private final List<Spawn> spawns = new ArrayList<>();
    private long nextPid = 424_242;

    public RecordingDetacher() {
        super(Map.of());
    }

    /** A detacher seeing {@code env}: with {@code TIME_SHIFT_DETACH=launcher} it leaves workers to the launcher. */
    public RecordingDetacher(Map<String, String> env) {
        super(env);
    }

    @Override
    public synchronized long spawn(List<String> args, Path logFile) {
        long pid = nextPid++;
        spawns.add(new Spawn(List.copyOf(args), logFile, pid));
        return pid;
    }

    public synchronized List<Spawn> spawns() {
        return List.copyOf(spawns);
    }
}

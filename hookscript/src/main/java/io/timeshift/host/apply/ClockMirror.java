package io.timeshift.host.apply;

import io.timeshift.common.time.TimeBounds;

import io.timeshift.host.env.HostPaths;
import io.timeshift.host.io.AtomicFiles;
import io.timeshift.host.io.Json;
import io.timeshift.host.state.VmState;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A VM's clock facts mirrored next to its policy on pmxcfs ({@code <vmid>.clock.json}), so that whichever
 * node starts the VM next finds them: the last stop (continue mode, a resumed VM) and the current run
 * (a live-migration target: the guest keeps its clock, and the target must know the run's offset to
 * measure a later stop; docs/pve-facts.md §1.6).
 *
 * <p>Best effort: pmxcfs without quorum is read-only, and the node-local state still has it.
 */
public final class ClockMirror {
    private final HostPaths paths;

    public ClockMirror(HostPaths paths) {
        this.paths = paths;
    }

    /** Records a stop, keeping the mirrored run. */
    public void write(int vmid, VmState.Stop stop) {
        Entry current = read(vmid);
        store(vmid, stop, current == null ? null : current.run());
    }

    /** Records the run a start decided, keeping the mirrored stop. */
    public void writeRun(int vmid, VmState.Run run) {
        writeRun(vmid, run, read(vmid));
    }

    /** {@link #writeRun(int, VmState.Run)} with what the caller has just {@link #read} (pre-start: one pmxcfs read). */
    public void writeRun(int vmid, VmState.Run run, Entry current) {
        store(vmid, current == null ? null : current.stop(), run);
    }

    /** The whole file from its two parts: the stop (with its offset, derived) and the run; unusable parts are dropped. */
    private void store(int vmid, VmState.Stop stop, VmState.Run run) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (stop != null) {
            m.putAll(stop.json());
            m.put("offsetNs", OffsetModel.between(stop.hostTime(), stop.guestTime()));
        }
        if (run != null) {
            m.put("run", run.json());
        }
        try {
            AtomicFiles.write(paths.clockMirror(vmid), Json.pretty(m), AtomicFiles.MODE_0640);
        } catch (RuntimeException e) {
            // pmxcfs without quorum: the node-local state still has it
        }
    }

    /**
     * @param stop     the last stop, or null
     * @param offsetNs the offset at that stop, or null
     * @param run      the run the last start on any node decided, or null
     */
    public record Entry(VmState.Stop stop, Long offsetNs, VmState.Run run) {
    }

    /** What is mirrored, or null when nothing (usable) is. */
    public Entry read(int vmid) {
        Map<String, Object> m = readMap(vmid);
        VmState.Stop s = VmState.Stop.fromJson(m);
        Object o = m.get("offsetNs");
        Object r = m.get("run");
        @SuppressWarnings("unchecked")
        VmState.Run run = r instanceof Map<?, ?> rm ? VmState.Run.fromJson((Map<String, Object>) rm) : null;
        if (s == null && run == null) {
            return null;
        }
        Long offset = s != null && o instanceof Long n && io.timeshift.common.time.TimeBounds.inRangeDurationNanos(n) ? n : null;
        return new Entry(s, offset, run);
    }

    private Map<String, Object> readMap(int vmid) {
        Path f = paths.clockMirror(vmid);
        try {
            return new LinkedHashMap<>(Json.parseObject(Files.readString(f, StandardCharsets.UTF_8), f.toString()));
        } catch (IOException | RuntimeException e) {
            return new LinkedHashMap<>();
        }
    }

    /** The newer of the node-local stop record and the mirrored one. */
    public static VmState.Stop newest(VmState.Stop a, VmState.Stop b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        Instant ta = a.hostTime();
        return b.hostTime().isAfter(ta) ? b : a;
    }
}

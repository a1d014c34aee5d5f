package io.timeshift.host.apply;

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
 * The last stop of a VM, mirrored next to its policy on pmxcfs ({@code <vmid>.clock.json}) so that
 * continue mode and a resumed or migrated VM find it on whichever node starts the VM next.
 */
public final class ClockMirror {
    private final HostPaths paths;

    public ClockMirror(HostPaths paths) {
        this.paths = paths;
    }

    public void write(int vmid, VmState.Stop stop) {
        Map<String, Object> m = new LinkedHashMap<>(stop.json());
        m.put("offsetNs", OffsetModel.between(stop.hostTime(), stop.guestTime()));
        try {
            AtomicFiles.write(paths.clockMirror(vmid), Json.pretty(m), AtomicFiles.MODE_0640);
        } catch (RuntimeException e) {
            // pmxcfs without quorum: the node-local state still has it
        }
    }

    public record Entry(VmState.Stop stop, Long offsetNs) {
    }

    public Entry read(int vmid) {
        Path f = paths.clockMirror(vmid);
        try {
            Map<String, Object> m = Json.parseObject(Files.readString(f, StandardCharsets.UTF_8), f.toString());
            VmState.Stop s = VmState.Stop.fromJson(m);
            Object o = m.get("offsetNs");
            Long offset = o instanceof Long n && io.timeshift.pve.time.TimeBounds.inRangeDurationNanos(n) ? n : null;
            return s == null ? null : new Entry(s, offset);
        } catch (IOException | RuntimeException e) {
            return null;
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

package io.timeshift.host.vmconfig;

import io.timeshift.host.notes.ArgvText;
import io.timeshift.host.notes.NotesLine;
import io.timeshift.host.policy.Policy;
import io.timeshift.pve.api.ConfigUpdate;
import io.timeshift.pve.api.VmConfigView;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The changes to one VM config, collected against what was read (and its digest), so that they go out
 * as ONE {@code PUT .../config} with {@code digest} and can be shown before as a diff. Setting a key to
 * its current value records nothing; a null value deletes the key ({@code delete=}).
 */
public final class ConfigChange {
    private final VmConfigView before;
    private final Map<String, String> after = new LinkedHashMap<>();

    public ConfigChange(VmConfigView before) {
        this.before = before;
    }

    public String old(String key) {
        return before.get(key).orElse(null);
    }

    /** Sets {@code key}; null or "" deletes it. */
    public ConfigChange set(String key, String value) {
        String v = value == null || value.isEmpty() ? null : value;
        if (Objects.equals(old(key), v)) {
            after.remove(key);
        } else {
            after.put(key, v);
        }
        return this;
    }

    /**
     * Puts the policy's Notes line into {@code description} (keeping the admin's text), unless the Notes
     * would then pass Proxmox's 8192 characters: then nothing changes and the returned line says so.
     *
     * @return null, or the one line for the admin when there was no room
     */
    public String notesLine(int vmid, String description, Policy policy) {
        String line = NotesLine.fresh(policy, ArgvText.separator());
        String after = NotesLine.putWithin(description, line);
        if (after == null) {
            return NotesLine.noRoom(vmid, description, line);
        }
        ArgvText.requirePasses(vmid, after);
        set("description", after);
        return null;
    }

    public boolean isEmpty() {
        return after.isEmpty();
    }

    public Map<String, String> changes() {
        return after;
    }

    public ConfigUpdate update() {
        ConfigUpdate.Builder b = ConfigUpdate.builder();
        for (Map.Entry<String, String> e : after.entrySet()) {
            if (e.getValue() == null) {
                b.delete(e.getKey());
            } else {
                b.set(e.getKey(), e.getValue());
            }
        }
        return b.digest(before.digest()).build();
    }

    /** One line per changed key ({@code -key: old}, {@code +key: new}; a deleted key has no + line); Notes as a line diff. */
    public List<String> diff(String indent) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : after.entrySet()) {
            String k = e.getKey();
            String o = old(k);
            String n = e.getValue();
            if (k.equals("description")) {
                out.add(indent + " description (Notes):");
                for (String l : TextDiff.lines(o, n)) {
                    if (!l.startsWith(" ")) {
                        out.add(indent + l.charAt(0) + "   " + l.substring(1));
                    }
                }
                continue;
            }
            if (o != null) {
                out.add(indent + "-" + k + ": " + o);
            }
            if (n != null) {
                out.add(indent + "+" + k + ": " + n);
            }
        }
        return out;
    }
}

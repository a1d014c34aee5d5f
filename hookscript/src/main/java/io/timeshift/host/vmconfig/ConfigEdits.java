package io.timeshift.host.vmconfig;

import io.timeshift.host.hook.VolumeIds;
import io.timeshift.pve.api.VmConfigView;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Pure edits of VM config values: our hookscript, the {@code time-shift} tag, the {@code agent} property. */
public final class ConfigEdits {
    public static final String TAG = "time-shift";
    public static final String SNIPPET = "time-shift-hook";
    private static final Pattern TAG_SPLIT = Pattern.compile("[;,\\s]+");

    private ConfigEdits() {
    }

    /** {@code <storage>:snippets/time-shift-hook}. */
    public static String volid(String storage) {
        return storage + ":snippets/" + SNIPPET;
    }

    /**
     * Whether {@code hookscript} is our snippet on any storage, the storage id matched like pve-storage
     * ({@code NAS1:snippets/time-shift-hook} too; docs/pve-facts.md §3.1).
     */
    public static boolean isOurs(String hookscript) {
        return hookscript != null && SNIPPET.equals(VolumeIds.snippetName(hookscript.trim()));
    }

    public static List<String> tags(String tags) {
        List<String> out = new ArrayList<>();
        if (tags == null) {
            return out;
        }
        for (String t : TAG_SPLIT.split(tags.trim())) {
            if (!t.isEmpty() && !out.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }

    /** Tags with ours added (existing order kept), as PVE writes them: {@code a;b}. */
    public static String withTag(String tags) {
        List<String> l = tags(tags);
        if (!l.contains(TAG)) {
            l.add(TAG);
        }
        return String.join(";", l);
    }

    /** Tags without ours; null when none remain (the key is deleted). */
    public static String withoutTag(String tags) {
        List<String> l = tags(tags);
        l.remove(TAG);
        return l.isEmpty() ? null : String.join(";", l);
    }

    /**
     * The {@code agent} property with the agent enabled and every other sub-option kept: {@code 0} →
     * {@code 1}, {@code enabled=0,fstrim_cloned_disks=1} → {@code enabled=1,fstrim_cloned_disks=1},
     * {@code type=isa} → {@code 1,type=isa}, absent → {@code 1}.
     */
    public static String enableAgent(String agent) {
        if (agent == null || agent.isBlank()) {
            return "1";
        }
        String[] parts = agent.split(",");
        boolean done = false;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            if (eq < 0 && !done) {
                parts[i] = "1";
                done = true;
            } else if (eq > 0 && p.substring(0, eq).trim().equals("enabled")) {
                parts[i] = "enabled=1";
                done = true;
            }
        }
        String joined = String.join(",", parts);
        return done ? joined : "1," + joined;
    }

    /** Whether {@code agent} enables the guest agent (its default key is {@code enabled}): {@link VmConfigView#agentEnabled(String)}. */
    public static boolean agentEnabled(String agent) {
        return VmConfigView.agentEnabled(agent);
    }
}

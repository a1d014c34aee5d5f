package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /nodes/{node}/qemu/{vmid}/config}: the config with pending values applied, plus its
 * {@code digest} (SHA-1 of the file) for optimistic locking in {@link ConfigUpdate#digest}.
 * {@link #raw()} keeps every key as PVE's text; the getters cover the keys this project uses.
 *
 * @param digest the config digest (pass it back when updating to detect concurrent edits)
 * @param raw    all keys except {@code digest}, values as text, in PVE's order
 */
public record VmConfigView(String digest, Map<String, String> raw) {
    public VmConfigView {
        raw = Map.copyOf(raw);
    }

    static VmConfigView from(JsonNode data, String op) {
        JsonNode o = PveJson.object(data, op);
        Map<String, String> all = new java.util.LinkedHashMap<>(PveJson.flatText(o));
        String digest = all.remove("digest");
        if (digest == null) {
            throw new io.timeshift.pve.api.error.PveProtocolException(op, "config has no digest");
        }
        return new VmConfigView(digest, all);
    }

    /** Any key, as PVE's text; empty when unset. */
    public Optional<String> get(String key) {
        String v = raw.get(key);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    public Optional<String> name() {
        return get("name");
    }

    /** e.g. {@code local:snippets/time-shift-hook}. */
    public Optional<String> hookscript() {
        return get("hookscript");
    }

    /** {@code now}, {@code YYYY-MM-DD} or {@code YYYY-MM-DDTHH:MM:SS}; absent means now. */
    public Optional<String> startdate() {
        return get("startdate");
    }

    /** The raw {@code agent} property string, e.g. {@code 1} or {@code enabled=1,fstrim_cloned_disks=1}. */
    public Optional<String> agent() {
        return get("agent");
    }

    /**
     * Whether {@code agent} enables the guest agent: its default key is {@code enabled}, so
     * {@code 1}, {@code enabled=1} and {@code 1,type=virtio} all do.
     */
    public boolean agentEnabled() {
        return agent().map(VmConfigView::agentEnabled).orElse(false);
    }

    /**
     * Whether the {@code agent} property string enables the guest agent (its default key is
     * {@code enabled}; PVE's boolean spellings); false for null.
     */
    public static boolean agentEnabled(String agent) {
        if (agent == null) {
            return false;
        }
        for (String part : agent.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) {
                return Boolean.TRUE.equals(PveJson.parseBoolean(p));
            }
            if (p.substring(0, eq).strip().equals("enabled")) {
                return Boolean.TRUE.equals(PveJson.parseBoolean(p.substring(eq + 1)));
            }
        }
        return false;
    }

    /** Tags, split from {@code "a;b"}. */
    public List<String> tags() {
        return PveJson.splitList(raw.get("tags"));
    }

    /** The Notes text (may span lines). */
    public Optional<String> description() {
        return get("description");
    }

    public boolean template() {
        return get("template").map(PveJson::parseBoolean).orElse(false);
    }

    /** The config lock (e.g. {@code backup}, {@code migrate}) while one is held. */
    public Optional<String> lock() {
        return get("lock");
    }
}

package io.timeshift.pve.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Our reading of a config as text lines, the form of the {@code pve-config-shapes/*.expected} files:
 * digest, agent, tags, Notes, section names, the fields this tool uses (in every section) and the
 * warnings. Values are escaped ({@code \\}, {@code \xNN} for control characters, {@code \\uXXXX} beyond
 * ASCII) so each expected file is plain ASCII.
 */
final class ShapeReading {
    /** The keys this tool reads or models (docs/pve-config-format.md), in the order they are listed. */
    static final List<String> USED = List.of("agent", "args", "delete", "description", "fleecing-images", "hookscript",
            "ide2", "localtime", "lock", "name", "ostype", "parent", "snapstate", "startdate", "tags", "tdf", "template",
            "vmstate");

    private ShapeReading() {
    }

    static List<String> render(VmConfig c) {
        List<String> out = new ArrayList<>();
        out.add("digest=" + c.digest().orElse(""));
        out.add("agentEnabled=" + c.agentEnabled());
        out.add("template=" + c.template());
        out.add("tags=" + esc(String.join("|", c.tags())));
        out.add("description=" + esc(c.description()));
        List<String> sections = new ArrayList<>();
        sections.add("main");
        if (!c.pending().isEmpty()) {
            sections.add("pending");
        }
        for (String s : c.snapshots().keySet()) {
            sections.add("snapshot:" + esc(s));
        }
        for (String s : c.specials().keySet()) {
            sections.add("special:" + esc(s));
        }
        out.add("sections=" + String.join("|", sections));
        fields(out, "main", c.main());
        fields(out, "pending", c.pending());
        for (Map.Entry<String, Map<String, String>> e : c.snapshots().entrySet()) {
            fields(out, "snapshot:" + esc(e.getKey()), e.getValue());
        }
        for (Map.Entry<String, Map<String, String>> e : c.specials().entrySet()) {
            fields(out, "special:" + esc(e.getKey()), e.getValue());
        }
        out.add("warnings=" + c.warnings().size());
        for (String w : c.warnings()) {
            int at = w.indexOf(".conf:");
            out.add("warning=" + esc(at < 0 ? w : w.substring(at + ".conf:".length())));
        }
        return out;
    }

    private static void fields(List<String> out, String section, Map<String, String> values) {
        for (String k : USED) {
            String v = values.get(k);
            if (v != null) {
                out.add(section + "." + k + "=" + esc(v));
            }
        }
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                b.append("\\\\");
            } else if (c < 0x20 || c == 0x7F) {
                b.append(String.format("\\x%02x", (int) c));
            } else if (c > 0x7E) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}

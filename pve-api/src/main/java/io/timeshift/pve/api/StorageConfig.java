package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One storage definition from {@code GET /storage} or {@code GET /storage/{id}} (cluster-wide
 * {@code storage.cfg}).
 *
 * @param storage  the id
 * @param type     {@code dir}, {@code nfs}, {@code lvmthin}, ...
 * @param content  allowed content types ({@code snippets} is needed for hookscripts)
 * @param path     directory for file-based storages
 * @param shared   whether all nodes see the same data
 * @param nodes    nodes it is restricted to; empty means all nodes
 * @param disabled whether it is disabled
 * @param digest   config digest (only on {@code /storage/{id}})
 * @param contentDirs {@code content-dirs}: sub-directory per content type that replaces the default one
 *                 below {@code path} (e.g. {@code snippets -> foo}); entries without a directory, which
 *                 mean the default, are left out (pve-storage {@code decode_value}, {@code get_subdir})
 */
public record StorageConfig(String storage, String type, List<String> content, Optional<String> path, boolean shared,
        List<String> nodes, boolean disabled, Optional<String> digest, Map<String, String> contentDirs) {

    static StorageConfig from(JsonNode o, String op) {
        return new StorageConfig(
                PveJson.requireText(o, "storage", op),
                PveJson.optText(o, "type").orElse(""),
                PveJson.splitList(PveJson.text(o, "content")),
                PveJson.optText(o, "path"),
                PveJson.bool(o, "shared", false),
                PveJson.splitList(PveJson.text(o, "nodes")),
                PveJson.bool(o, "disable", false),
                PveJson.optText(o, "digest"),
                contentDirs(o.get("content-dirs")));
    }

    /**
     * The API returns {@code content-dirs} as the decoded hash ({@code {"snippets":"foo"}}); the string form
     * of storage.cfg ({@code snippets=foo,iso=bar}) is read too. The last entry of a type counts.
     */
    static Map<String, String> contentDirs(JsonNode v) {
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return Map.of();
        }
        if (v.isObject()) {
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                if (e.getValue() != null && e.getValue().isValueNode() && !e.getValue().isNull()) {
                    out.put(e.getKey(), e.getValue().asText());
                }
            }
        } else if (v.isTextual()) {
            for (String entry : PveJson.splitList(v.asText())) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    out.put(entry.substring(0, eq), entry.substring(eq + 1));
                } else if (eq < 0) {
                    out.remove(entry); // "snippets" alone: the default directory
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    public boolean allows(String contentType) {
        return content.contains(contentType);
    }

    /** Whether the storage is configured for {@code node} (no node list means every node). */
    public boolean availableOn(String node) {
        return !disabled && (nodes.isEmpty() || nodes.contains(node));
    }
}

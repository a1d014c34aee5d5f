package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import java.util.List;
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
 */
public record StorageConfig(String storage, String type, List<String> content, Optional<String> path, boolean shared,
        List<String> nodes, boolean disabled, Optional<String> digest) {

    static StorageConfig from(JsonNode o, String op) {
        return new StorageConfig(
                PveJson.requireText(o, "storage", op),
                PveJson.optText(o, "type").orElse(""),
                PveJson.splitList(PveJson.text(o, "content")),
                PveJson.optText(o, "path"),
                PveJson.bool(o, "shared", false),
                PveJson.splitList(PveJson.text(o, "nodes")),
                PveJson.bool(o, "disable", false),
                PveJson.optText(o, "digest"));
    }

    public boolean allows(String contentType) {
        return content.contains(contentType);
    }

    /** Whether the storage is configured for {@code node} (no node list means every node). */
    public boolean availableOn(String node) {
        return !disabled && (nodes.isEmpty() || nodes.contains(node));
    }
}

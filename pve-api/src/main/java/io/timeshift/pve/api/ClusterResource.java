package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import java.util.List;
import java.util.Optional;

/**
 * One entry of {@code GET /cluster/resources} (pve-manager {@code API2/Cluster.pm}). For
 * {@code type=vm} the entries are guests ({@code qemu} or {@code lxc}).
 *
 * @param id       e.g. {@code qemu/105}, {@code node/pve1}, {@code storage/pve1/local}
 * @param type     {@code qemu}, {@code lxc}, {@code node}, {@code storage}, ...
 * @param vmid     the VMID for guests, 0 otherwise
 * @param node     the node it lives on
 * @param status   e.g. {@code running}, {@code stopped}
 * @param name     guest name (may be empty)
 * @param tags     tags, split from PVE's {@code "a;b"}
 * @param template whether it is a template
 * @param lock     the config lock (e.g. {@code backup}) while one is held
 */
public record ClusterResource(String id, String type, int vmid, String node, String status, String name,
        List<String> tags, boolean template, Optional<String> lock) {

    static ClusterResource from(JsonNode o, String op) {
        String id = PveJson.requireText(o, "id", op);
        return new ClusterResource(
                id,
                PveJson.optText(o, "type").orElse(""),
                (int) PveJson.longValue(o, "vmid", 0, op),
                PveJson.optText(o, "node").orElse(""),
                PveJson.optText(o, "status").orElse(""),
                PveJson.optText(o, "name").orElse(""),
                PveJson.splitList(PveJson.text(o, "tags")),
                PveJson.bool(o, "template", false),
                PveJson.optText(o, "lock"));
    }

    public boolean isQemu() {
        return "qemu".equals(type);
    }

    public boolean running() {
        return "running".equals(status);
    }

    public boolean hasTag(String tag) {
        return tags.contains(tag);
    }
}

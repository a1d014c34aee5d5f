package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import java.util.Optional;

/**
 * One entry of {@code GET /nodes}.
 *
 * @param node           node name
 * @param status         {@code online}, {@code offline} or {@code unknown}
 * @param sslFingerprint SHA-256 fingerprint of the node's certificate, as PVE reports it
 */
public record NodeInfo(String node, String status, Optional<String> sslFingerprint) {
    static NodeInfo from(JsonNode o, String op) {
        return new NodeInfo(PveJson.requireText(o, "node", op), PveJson.optText(o, "status").orElse("unknown"),
                PveJson.optText(o, "ssl_fingerprint"));
    }

    public boolean online() {
        return "online".equals(status);
    }
}

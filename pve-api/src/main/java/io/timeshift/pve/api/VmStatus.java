package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import java.util.Optional;

/**
 * {@code GET /nodes/{node}/qemu/{vmid}/status/current}.
 *
 * @param status          {@code running} or {@code stopped}
 * @param qmpStatus       QEMU's own state when running ({@code running}, {@code paused},
 *                        {@code prelaunch}, ...)
 * @param lock            the config lock while one is held
 * @param name            VM name
 * @param uptimeSeconds   seconds since start (0 when stopped)
 * @param agentConfigured whether {@code agent} is enabled in the config
 */
public record VmStatus(String status, Optional<String> qmpStatus, Optional<String> lock, String name, long uptimeSeconds,
        boolean agentConfigured) {

    static VmStatus from(JsonNode data, String op) {
        JsonNode o = PveJson.object(data, op);
        return new VmStatus(PveJson.requireText(o, "status", op), PveJson.optText(o, "qmpstatus"), PveJson.optText(o, "lock"),
                PveJson.optText(o, "name").orElse(""), PveJson.longValue(o, "uptime", 0, op), PveJson.bool(o, "agent", false));
    }

    public boolean running() {
        return "running".equals(status);
    }
}

package io.timeshift.pve.api.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A successful answer: the envelope's {@code data} (JSON null for methods that return nothing) and,
 * for the HTTPS transport, the envelope's {@code total} when PVE sent one (pvesh prints no envelope).
 *
 * @param data  the payload, never Java null
 * @param total the envelope's {@code total}, if any
 */
public record PveResponse(JsonNode data, OptionalLong total) {
    public PveResponse {
        data = data == null ? NullNode.getInstance() : data;
        Objects.requireNonNull(total, "total");
    }

    public static PveResponse of(JsonNode data) {
        return new PveResponse(data, OptionalLong.empty());
    }
}

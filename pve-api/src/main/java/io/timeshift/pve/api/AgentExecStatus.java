package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import java.util.OptionalInt;

/**
 * {@code GET /nodes/{node}/qemu/{vmid}/agent/exec-status?pid=N}. PVE already base64-decodes
 * {@code out-data}/{@code err-data}. Once {@code exited} is true the agent forgets the pid.
 *
 * @param exited       whether the process has ended
 * @param exitCode     exit code if it ended normally
 * @param signal       signal if it was killed
 * @param outData      captured stdout ("" if none)
 * @param errData      captured stderr ("" if none)
 * @param outTruncated whether stdout was cut at the agent's limit
 * @param errTruncated whether stderr was cut
 */
public record AgentExecStatus(boolean exited, OptionalInt exitCode, OptionalInt signal, String outData, String errData,
        boolean outTruncated, boolean errTruncated) {

    static AgentExecStatus from(JsonNode data, String op) {
        JsonNode o = PveJson.object(data, op);
        return new AgentExecStatus(
                PveJson.bool(o, "exited", false),
                PveJson.isAbsent(o, "exitcode") ? OptionalInt.empty() : OptionalInt.of((int) PveJson.longValue(o, "exitcode", 0, op)),
                PveJson.isAbsent(o, "signal") ? OptionalInt.empty() : OptionalInt.of((int) PveJson.longValue(o, "signal", 0, op)),
                PveJson.optText(o, "out-data").orElse(""),
                PveJson.optText(o, "err-data").orElse(""),
                PveJson.bool(o, "out-truncated", false),
                PveJson.bool(o, "err-truncated", false));
    }

    /** Exited normally with code 0. */
    public boolean succeeded() {
        return exited && exitCode.isPresent() && exitCode.getAsInt() == 0;
    }
}

package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;

/**
 * One VM of {@code GET /nodes/{node}/qemu} (qemu-server {@code API2/Qemu.pm} {@code vmlist}, the
 * items of {@code PVE::QemuServer::vmstatus}): its id, {@code running}/{@code stopped}, and the
 * seconds since QEMU started ({@code 0} when stopped). Read at the moment of the call, unlike
 * {@code /cluster/resources}, which pvestatd refreshes only every few seconds.
 *
 * @param vmid          the VM id; {@code 0} when the answer had none
 * @param status        {@code running} or {@code stopped}; empty when absent
 * @param uptimeSeconds {@code 0} when absent
 */
public record QemuListEntry(int vmid, String status, long uptimeSeconds) {

    public boolean running() {
        return "running".equals(status);
    }

    static QemuListEntry from(JsonNode n, String op) {
        long id = PveJson.longValue(n, "vmid", 0, op);
        String status = PveJson.text(n, "status");
        return new QemuListEntry(id > 0 && id <= Integer.MAX_VALUE ? (int) id : 0, status == null ? "" : status,
                PveJson.longValue(n, "uptime", 0, op));
    }
}

package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.error.PveProtocolException;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.pve.api.transport.Method;
import io.timeshift.common.error.InvalidInputException;
import java.util.Map;

/** {@code /nodes/{node}/qemu/{vmid}} (qemu-server {@code API2/Qemu.pm}, {@code API2/Qemu/Agent.pm}). */
public final class QemuApi {
    private final PveClient client;
    private final ApiPath path;
    private final String node;
    private final int vmid;

    QemuApi(PveClient client, ApiPath path, String node, int vmid) {
        this.client = client;
        this.path = path;
        this.node = node;
        this.vmid = vmid;
    }

    public int vmid() {
        return vmid;
    }

    public String node() {
        return node;
    }

    /** {@code GET .../config}: the config with pending values applied, with its digest. */
    public VmConfigView config() {
        ApiPath p = path.child("config");
        return VmConfigView.from(client.get(p, Map.of()), PveClient.op(Method.GET, p));
    }

    /**
     * {@code PUT .../config}: synchronous update (like {@code qm set}); returns when written. Never
     * retried once the request may have reached the server. On a running VM, keys that cannot be
     * hot-plugged (e.g. {@code startdate}) become pending until the next cold start.
     *
     * @throws io.timeshift.pve.api.error.PveConflictException with {@code DIGEST_MISMATCH} if the config
     *         changed since the digest was read
     */
    public void updateConfig(ConfigUpdate update) {
        if (update.isEmpty()) {
            throw new InvalidInputException("config update for VM " + vmid + " changes nothing");
        }
        client.put(path.child("config"), update.toParams());
    }

    /** {@code GET .../status/current}. */
    public VmStatus status() {
        ApiPath p = path.child("status").child("current");
        return VmStatus.from(client.get(p, Map.of()), PveClient.op(Method.GET, p));
    }

    /**
     * {@code GET .../agent/get-time}: the guest's system time in nanoseconds since the epoch, as the
     * guest agent reports it ({@code {"data":{"result":<ns>}}}).
     */
    public long agentGetTime() {
        ApiPath p = path.child("agent").child("get-time");
        String op = PveClient.op(Method.GET, p);
        JsonNode o = PveJson.object(client.get(p, Map.of()), op);
        JsonNode result = o.get("result");
        if (result == null || !result.isIntegralNumber() || !result.canConvertToLong()) {
            throw new PveProtocolException(op, "get-time result is not an integer of nanoseconds: " + result);
        }
        return result.longValue();
    }

    @Override
    public String toString() {
        return path.toString();
    }
}

package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.pve.api.transport.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The API below {@code /nodes/{node}}. Obtain with {@link PveClient#node(String)}. */
public final class NodeApi {
    private final PveClient client;
    private final ApiPath path;
    private final String node;

    NodeApi(PveClient client, ApiPath path, String node) {
        this.client = Objects.requireNonNull(client);
        this.path = path;
        this.node = node;
    }

    public String name() {
        return node;
    }

    /** {@code /nodes/{node}/qemu/{vmid}}. */
    public QemuApi qemu(int vmid) {
        return new QemuApi(client, path.child("qemu").child(Integer.toString(Names.vmid(vmid))), node, vmid);
    }

    /**
     * {@code GET /nodes/{node}/qemu}: every VM on this node with its status and uptime, as of this
     * call (one call per node instead of one {@code status/current} per VM).
     */
    public List<QemuListEntry> qemuList() {
        ApiPath p = path.child("qemu");
        String op = PveClient.op(Method.GET, p);
        List<QemuListEntry> out = new ArrayList<>();
        for (JsonNode n : PveJson.array(client.get(p, Map.of()), op)) {
            out.add(QemuListEntry.from(n, op));
        }
        return out;
    }

    /** {@code /nodes/{node}/storage/{storage}}. */
    public StorageApi storage(String storage) {
        return new StorageApi(client, path.child("storage").child(Names.storage(storage)));
    }

    @Override
    public String toString() {
        return path.toString();
    }
}

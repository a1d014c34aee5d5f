package io.timeshift.pve.api;

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

    /** {@code /nodes/{node}/storage/{storage}}. */
    public StorageApi storage(String storage) {
        return new StorageApi(client, path.child("storage").child(Names.storage(storage)));
    }

    /** {@code /nodes/{node}/tasks}. */
    public TasksApi tasks() {
        return new TasksApi(client, path.child("tasks"));
    }

    @Override
    public String toString() {
        return path.toString();
    }
}

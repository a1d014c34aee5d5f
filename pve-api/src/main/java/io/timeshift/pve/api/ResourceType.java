package io.timeshift.pve.api;

/** The {@code type} filter of {@code GET /cluster/resources} (enum {@code vm|storage|node|sdn}). */
public enum ResourceType {
    VM("vm"),
    STORAGE("storage"),
    NODE("node"),
    SDN("sdn");

    private final String wire;

    ResourceType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}

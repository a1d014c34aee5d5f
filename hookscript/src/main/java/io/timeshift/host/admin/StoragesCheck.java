package io.timeshift.host.admin;

import io.timeshift.pve.api.StorageConfig;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The storages holding our snippet allow the snippets content type (else time-shift enable cannot put
 * it there and Proxmox does not find it); through {@code --remote} first whether any storage allows it.
 */
final class StoragesCheck implements DoctorCheck {
    private final List<String> ids;
    private final StorageLookups storages;
    private final boolean anyFirst;

    private StoragesCheck(Collection<String> ids, StorageLookups storages, boolean anyFirst) {
        this.ids = List.copyOf(ids);
        this.storages = storages;
        this.anyFirst = anyFirst;
    }

    /** On a node: the storages of our hookscript in use; one the API cannot tell about is skipped. */
    static StoragesCheck inUse(Collection<String> ids, StorageLookups storages) {
        return new StoragesCheck(ids, storages, false);
    }

    /**
     * Through {@code --remote}: some storage allows snippets, then each of {@code ids} (from
     * {@link StorageLookups#listed}), a storage found unusable once not again.
     */
    static StoragesCheck cluster(Collection<String> ids, StorageLookups storages) {
        return new StoragesCheck(ids, storages, true);
    }

    @Override
    public List<DoctorService.Check> run() {
        List<DoctorService.Check> checks = new ArrayList<>();
        if (anyFirst) {
            checks.add(any(storages.listing()));
        }
        Set<String> bad = new LinkedHashSet<>();
        for (String id : ids) {
            if (bad.contains(id)) {
                continue;
            }
            StorageLookups.Lookup l = storages.lookup(id);
            if (l == null) {
                continue;
            }
            if (l.error() != null) {
                checks.add(DoctorService.bad("storage", "cannot read storage " + id + ": " + l.error(), "check that Proxmox answers"
                        + " and the storage is defined: pvesh get /storage/" + id + " (and pvesm status)"));
            } else {
                checks.add(verdict(id, l.config()));
            }
            if (l.unusable()) {
                bad.add(id);
            }
        }
        return checks;
    }

    private static DoctorService.Check any(Map<String, StorageConfig> storages) {
        List<String> withSnippets = new ArrayList<>();
        for (StorageConfig sc : storages.values()) {
            if (sc.allows("snippets") && !sc.disabled()) {
                withSnippets.add(sc.storage());
            }
        }
        if (!withSnippets.isEmpty()) {
            return DoctorService.ok("storage", "storages with the snippets content type: " + String.join(", ", withSnippets));
        }
        StorageConfig local = storages.get("local");
        return DoctorService.bad("storage", "no storage allows the snippets content type, so time-shift enable has nowhere to put"
                + " its hook snippet", local == null ? "pvesm set <dir storage> --content <its content>,snippets"
                : "pvesm set local --content " + String.join(",", withContent(local, "snippets")));
    }

    /** Ok, or the problem and the pvesm command. */
    private static DoctorService.Check verdict(String id, StorageConfig sc) {
        if (sc == null) {
            return DoctorService.bad("storage", "storage '" + id + "' used by a time-shift hookscript does not exist",
                    "time-shift enable <vmid> --storage <existing storage> --yes");
        }
        if (sc.allows("snippets")) {
            return DoctorService.ok("storage", "storage " + id + " allows snippets");
        }
        return DoctorService.bad("storage", "storage " + id + " does not allow the snippets content type",
                "pvesm set " + id + " --content " + String.join(",", withContent(sc, "snippets")));
    }

    private static List<String> withContent(StorageConfig sc, String type) {
        List<String> c = new ArrayList<>(sc.content());
        c.add(type);
        return c;
    }
}

package io.timeshift.host.admin;

import io.timeshift.common.error.TimeShiftException;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.StorageConfig;
import io.timeshift.pve.api.error.PveNotFoundException;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The storage configs doctor's checks share, each asked of the API at most once: on a node one
 * {@code /storage/<id>} per storage when first needed ({@link #api}); through {@code --remote} the one
 * {@code /storage} listing ({@link #listed}).
 */
final class StorageLookups {
    /** A storage's config as the API gave it: null config and null error when it does not exist. */
    record Lookup(StorageConfig config, String error) {
        /** Whether a snippet on it cannot be used: unreadable, missing, or without the snippets content type. */
        boolean unusable() {
            return error != null || config == null || !config.allows("snippets");
        }
    }

    private final PveClient client;
    private final Map<String, StorageConfig> listing;
    private final Map<String, Lookup> cache = new LinkedHashMap<>();

    private StorageLookups(PveClient client, Map<String, StorageConfig> listing) {
        this.client = client;
        this.listing = listing;
    }

    /** Asks {@code client} per storage, on first use; without a client (Proxmox did not answer) every lookup is null. */
    static StorageLookups api(PveClient client) {
        return new StorageLookups(client, null);
    }

    /** From one listing of every storage: a storage not in it does not exist. */
    static StorageLookups listed(List<StorageConfig> all) {
        Map<String, StorageConfig> m = new TreeMap<>();
        for (StorageConfig sc : all) {
            m.put(sc.storage(), sc);
        }
        return new StorageLookups(null, m);
    }

    /** Every storage by id (sorted), when these lookups come from a listing; else null. */
    Map<String, StorageConfig> listing() {
        return listing;
    }

    /** Null without the API; a storage that does not exist is a lookup without config, any other error one with it. */
    Lookup lookup(String id) {
        if (listing != null) {
            return new Lookup(listing.get(id), null);
        }
        if (client == null) {
            return null;
        }
        return cache.computeIfAbsent(id, k -> {
            try {
                return new Lookup(client.storageConfig(k), null);
            } catch (PveNotFoundException e) {
                return new Lookup(null, null);
            } catch (TimeShiftException e) {
                return new Lookup(null, ErrorLine.of(e));
            }
        });
    }

    /** Where {@code volid} lives on this node: from {@code storage.cfg}, else from the API's config; null when unknown. */
    Path locate(String volid, Path pveDir) {
        Path p = SnippetInstaller.locate(volid, pveDir, null);
        int colon = volid.indexOf(':');
        if (p != null || colon < 0) {
            return p;
        }
        Lookup l = lookup(volid.substring(0, colon));
        return l == null ? null : SnippetInstaller.locate(volid, pveDir, l.config());
    }

    /** The volumes worth looking for on the nodes: those on a storage that can hold them (else its fix comes first). */
    Set<String> usable(Collection<String> volids) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : volids) {
            Lookup l = lookup(v.substring(0, v.indexOf(':')));
            if (l == null || !l.unusable()) {
                out.add(v);
            }
        }
        return out;
    }
}

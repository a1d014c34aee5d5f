package io.timeshift.pve.api;

import io.timeshift.common.error.InvalidInputException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One synchronous config change ({@code PUT /nodes/{node}/qemu/{vmid}/config}, what {@code qm set}
 * does): keys to set, keys to delete ({@code delete=a,b}), and optionally the digest read before, so
 * PVE refuses the change if someone edited the config meanwhile ({@code checksum mismatch}).
 * All keys of one update are applied in one locked write, so either all or none take effect.
 */
public final class ConfigUpdate {
    private final Map<String, String> set;
    private final List<String> delete;
    private final String digest;

    private ConfigUpdate(Builder b) {
        this.set = Collections.unmodifiableMap(new LinkedHashMap<>(b.set));
        this.delete = List.copyOf(b.delete);
        this.digest = b.digest;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Map<String, String> set() {
        return set;
    }

    public List<String> delete() {
        return delete;
    }

    public Optional<String> digest() {
        return Optional.ofNullable(digest);
    }

    public boolean isEmpty() {
        return set.isEmpty() && delete.isEmpty();
    }

    /** The request parameters, in a fixed order: set keys (as added), {@code delete}, {@code digest}. */
    public Map<String, String> toParams() {
        Map<String, String> p = new LinkedHashMap<>(set);
        if (!delete.isEmpty()) {
            p.put("delete", String.join(",", delete));
        }
        if (digest != null) {
            p.put("digest", digest);
        }
        return p;
    }

    @Override
    public String toString() {
        return "ConfigUpdate[set=" + set.keySet() + ", delete=" + delete + (digest != null ? ", digest=" + digest : "") + "]";
    }

    /** Builder; rejects invalid keys and a key that is both set and deleted. */
    public static final class Builder {
        private final Map<String, String> set = new LinkedHashMap<>();
        private final Set<String> delete = new LinkedHashSet<>();
        private String digest;

        private Builder() {
        }

        public Builder set(String key, String value) {
            Names.configKey(key);
            Objects.requireNonNull(value, "value of " + key);
            if (key.equals("delete") || key.equals("digest")) {
                throw new InvalidInputException("'" + key + "' is not a config key; use delete(...) or digest(...)");
            }
            if (delete.contains(key)) {
                throw new InvalidInputException("config key '" + key + "' cannot be both set and deleted in one update");
            }
            set.put(key, value);
            return this;
        }

        public Builder set(String key, long value) {
            return set(key, Long.toString(value));
        }

        public Builder set(String key, boolean value) {
            return set(key, value ? "1" : "0");
        }

        public Builder delete(String... keys) {
            for (String k : keys) {
                Names.configKey(k);
                if (set.containsKey(k)) {
                    throw new InvalidInputException("config key '" + k + "' cannot be both set and deleted in one update");
                }
                delete.add(k);
            }
            return this;
        }

        /** The digest from {@link VmConfigView#digest()}; the update fails if the config changed since. */
        public Builder digest(String digest) {
            if (digest == null || !digest.matches("[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")) {
                throw new InvalidInputException("config digest '" + digest + "' is not valid; expected the hex digest from the config");
            }
            this.digest = digest;
            return this;
        }

        public ConfigUpdate build() {
            return new ConfigUpdate(this);
        }
    }
}

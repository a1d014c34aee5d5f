package io.timeshift.pve.api;

import io.timeshift.common.error.InvalidInputException;
import java.util.Set;
import java.util.regex.Pattern;

/** Validation of user-supplied names, with PVE's own formats (pve-common JSONSchema). */
final class Names {
    private static final Pattern NODE = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?");
    private static final Pattern STORAGE = Pattern.compile("[a-zA-Z][a-zA-Z0-9\\-_.]*[a-zA-Z0-9]");
    private static final Pattern CONFIG_KEY = Pattern.compile("[a-z][a-z0-9_\\-]*");
    static final Set<String> CONTENT_TYPES = Set.of("images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import");

    private Names() {
    }

    /** {@code pve-node}. */
    static String node(String node) {
        if (node == null || !NODE.matcher(node).matches() || node.length() > 63) {
            throw new InvalidInputException("node name '" + node + "' is not valid; expected letters, digits and '-', e.g. pve1");
        }
        return node;
    }

    /** {@code pve-vmid}: 100 to 999999999. */
    static int vmid(int vmid) {
        if (vmid < 100 || vmid > 999_999_999) {
            throw new InvalidInputException("VMID " + vmid + " is out of range; expected 100 to 999999999");
        }
        return vmid;
    }

    /** {@code pve-storage-id}. */
    static String storage(String id) {
        if (id == null || !STORAGE.matcher(id).matches()) {
            throw new InvalidInputException("storage id '" + id + "' is not valid; expected e.g. local or local-lvm");
        }
        return id;
    }

    static String contentType(String type) {
        if (type == null || !CONTENT_TYPES.contains(type)) {
            throw new InvalidInputException("storage content type '" + type + "' is not valid; expected one of "
                    + new java.util.TreeSet<>(CONTENT_TYPES));
        }
        return type;
    }

    /** A VM config key such as {@code startdate}, {@code net0}, {@code hookscript}. */
    static String configKey(String key) {
        if (key == null || !CONFIG_KEY.matcher(key).matches()) {
            throw new InvalidInputException("config key '" + key + "' is not valid; expected lower-case letters, digits, '-' or '_'");
        }
        return key;
    }
}

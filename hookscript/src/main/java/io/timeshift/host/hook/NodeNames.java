package io.timeshift.host.hook;

/**
 * Proxmox node names: {@code [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?} (pve-common {@code JSONSchema.pm}
 * {@code pve_verify_node_name}, docs/pve-facts.md §1.6). Matched by hand: the hook path loads
 * no regex.
 */
public final class NodeNames {
    private NodeNames() {
    }

    /** Whether {@code s} is a node name Proxmox accepts (so it is safe in a path and in a message). */
    public static boolean isValid(String s) {
        if (s == null || s.isEmpty() || s.length() > 253) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            boolean edge = i == 0 || i == s.length() - 1;
            if (!(alnum || (!edge && c == '-'))) {
                return false;
            }
        }
        return true;
    }
}

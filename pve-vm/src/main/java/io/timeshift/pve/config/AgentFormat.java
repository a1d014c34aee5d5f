package io.timeshift.pve.config;

/**
 * The {@code agent} property string, read as qemu-server reads it: {@code parse_property_string} of
 * pve-common's {@code JSONSchema.pm} with the {@code agent_fmt} of qemu-server's {@code Agent.pm}, then
 * {@code check_object}. See docs/pve-config-format.md ("agent") for each rule and its upstream line.
 *
 * <p>Hand matching only (no regex, no lambdas): the hook reads {@code agent} in every pre-start.
 */
final class AgentFormat {
    private static final String ENABLED = "enabled";
    private static final String FSTRIM = "fstrim_cloned_disks";
    private static final String FREEZE = "freeze-fs";
    private static final String TYPE = "type";

    private AgentFormat() {
    }

    /** Whether {@code value} is valid and enables the agent ({@code enabled} is 1); invalid means off, as in Proxmox. */
    static boolean enabled(String value) {
        if (value == null) {
            return false;
        }
        String[] res = new String[4];
        return problem(value, res) == null && "1".equals(res[0]);
    }

    /** Why {@code value} is not a valid {@code agent} property string; null when it is. */
    static String problem(String value) {
        return problem(value, new String[4]);
    }

    /** res: enabled, fstrim_cloned_disks, freeze-fs, type (after parse_boolean), as parse_property_string leaves them. */
    private static String problem(String value, String[] res) {
        boolean defaultKeySeen = false;
        int start = 0;
        int n = value.length();
        while (start <= n) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? n : comma;
            String part = value.substring(start, end);
            start = end + 1;
            if (VmConfigParser.isBlank(part)) {
                continue; // next if $part =~ /^\s*$/ (also Perl split's dropped trailing fields)
            }
            int eq = part.indexOf('=');
            if (eq > 0 && eq < part.length() - 1) { // ^([^=]+)=(.+)$
                String k = part.substring(0, eq);
                String v = part.substring(eq + 1);
                int slot = slot(k);
                if (slot >= 0 && res[slot] != null && !isAlias(k)) {
                    return "duplicate key in comma-separated list property: " + k;
                }
                if (isAlias(k)) {
                    k = FREEZE;
                    slot = 2;
                    if (res[slot] != null) {
                        return "key '" + k + "' is already defined (via alias)";
                    }
                }
                if (slot < 0) {
                    return "invalid key in comma-separated list property: " + k;
                }
                if (slot != 3) {
                    String b = parseBoolean(v);
                    v = b != null ? b : v;
                }
                res[slot] = v;
            } else if (eq < 0) {
                if (defaultKeySeen) {
                    return "duplicate key in comma-separated list property: enabled";
                }
                defaultKeySeen = true;
                if (truthy(res[0])) {
                    return "duplicate key in comma-separated list property: enabled";
                }
                String b = parseBoolean(part);
                res[0] = b != null ? b : part;
            } else {
                return "missing key in comma-separated list property";
            }
        }
        // check_object: enabled is not optional; booleans must be 0/1 after parse_boolean; type an enum
        if (res[0] == null) {
            return "format error: enabled: property is missing and it is not optional";
        }
        for (int i = 0; i < 3; i++) {
            if (res[i] != null && !res[i].equals("0") && !res[i].equals("1")) {
                return "format error: " + name(i) + ": type check ('boolean') failed - got '" + res[i] + "'";
            }
        }
        if (res[3] != null && !res[3].equals("virtio") && !res[3].equals("isa")) {
            return "format error: type: value '" + res[3] + "' does not have a value in the enumeration 'virtio, isa'";
        }
        return null;
    }

    private static int slot(String k) {
        switch (k) {
            case ENABLED:
                return 0;
            case FSTRIM:
                return 1;
            case FREEZE:
                return 2;
            case TYPE:
                return 3;
            default:
                return -1;
        }
    }

    private static String name(int slot) {
        return slot == 0 ? ENABLED : slot == 1 ? FSTRIM : slot == 2 ? FREEZE : TYPE;
    }

    /** {@code freeze-fs-on-backup} and {@code guest-fsfreeze} are aliases of {@code freeze-fs}. */
    private static boolean isAlias(String k) {
        return k.equals("freeze-fs-on-backup") || k.equals("guest-fsfreeze");
    }

    /** Perl truth of a string: not undef, not "" and not "0". */
    private static boolean truthy(String s) {
        return s != null && !s.isEmpty() && !s.equals("0");
    }

    /** {@code PVE::JSONSchema::parse_boolean}: "1" or "0" for the accepted spellings (ASCII, any case), else null. */
    static String parseBoolean(String s) {
        if (s.equals("1") || eqIgnoreCase(s, "on") || eqIgnoreCase(s, "yes") || eqIgnoreCase(s, "true")) {
            return "1";
        }
        if (s.equals("0") || eqIgnoreCase(s, "off") || eqIgnoreCase(s, "no") || eqIgnoreCase(s, "false")) {
            return "0";
        }
        return null;
    }

    /** Case-insensitive for ASCII letters only, as Perl's {@code /i} on byte strings. */
    static boolean eqIgnoreCase(String s, String lowerAscii) {
        if (s.length() != lowerAscii.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + 32);
            }
            if (c != lowerAscii.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}

package io.timeshift.host.admin;

import io.timeshift.pve.api.VmConfigView;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code firewall} option of a VM's {@code netN} property string
 * ({@code virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1}; qemu-server {@code QemuServer/Network.pm}).
 * Edits touch that one option and keep every other byte of the value: an existing {@code firewall=...}
 * is rewritten in place, a missing one is appended.
 */
final class NicFirewall {
    private NicFirewall() {
    }

    /** The {@code netN} keys of the config, in number order. */
    static List<String> nics(VmConfigView conf) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            if (conf.get("net" + i).isPresent()) {
                out.add("net" + i);
            }
        }
        for (Map.Entry<String, String> e : conf.raw().entrySet()) {
            String k = e.getKey();
            if (k.startsWith("net") && k.length() > 3 && allDigits(k.substring(3)) && !out.contains(k)) {
                out.add(k);
            }
        }
        return out;
    }

    /** Whether the value has {@code firewall=} set to a true PVE boolean. */
    static boolean enabled(String value) {
        String v = option(value);
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("on"));
    }

    /** The value of the {@code firewall} option, or null when absent. */
    static String option(String value) {
        if (value == null) {
            return null;
        }
        for (String part : value.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).trim().equals("firewall")) {
                return part.substring(eq + 1).trim();
            }
        }
        return null;
    }

    /** {@code value} with {@code firewall=1}; unchanged when it is already on. */
    static String withFirewall(String value) {
        if (enabled(value)) {
            return value;
        }
        String[] parts = value.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq > 0 && parts[i].substring(0, eq).trim().equals("firewall")) {
                parts[i] = parts[i].substring(0, eq + 1) + "1";
                return String.join(",", parts);
            }
        }
        return value.isEmpty() ? "firewall=1" : value + ",firewall=1";
    }

    /**
     * What {@code disable} writes back: the {@code original} value when the NIC still is exactly what
     * isolation made of it; otherwise (the admin edited it since) only the firewall option goes back
     * to what it was, every other option staying as it is now.
     */
    static String restore(String original, String current) {
        if (current == null) {
            return null;
        }
        if (current.equals(withFirewall(original))) {
            return original;
        }
        String before = option(original);
        List<String> parts = new ArrayList<>(List.of(current.split(",", -1)));
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equals("firewall")) {
                if (before == null) {
                    parts.remove(i);
                } else {
                    parts.set(i, p.substring(0, eq + 1) + before);
                }
                return String.join(",", parts);
            }
        }
        return current;
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }
}

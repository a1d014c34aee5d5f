package io.timeshift.host.admin;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The name of the Proxmox node this runs on. pmxcfs links {@code /etc/pve/local} to
 * {@code nodes/<this node>} (pve-facts §6), which is exactly the name the API uses in
 * {@code /nodes/<node>/...}; without it (no pmxcfs, odd test trees) the short host name, which is what
 * PVE's {@code PVE::INotify::nodename()} returns.
 */
public final class LocalNode {
    private LocalNode() {
    }

    public static String name(Path pveDir) {
        Path local = pveDir.resolve("local");
        try {
            if (Files.isSymbolicLink(local)) {
                Path target = Files.readSymbolicLink(local).getFileName();
                if (target != null && !target.toString().isBlank()) {
                    return target.toString();
                }
            }
        } catch (IOException ignored) {
            // fall back to the host name
        }
        return shortHostname();
    }

    static String shortHostname() {
        String h = null;
        try {
            h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        if (h == null || h.isEmpty()) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                h = "localhost";
            }
        }
        int dot = h.indexOf('.');
        return dot > 0 ? h.substring(0, dot) : h;
    }
}

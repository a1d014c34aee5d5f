package io.timeshift.host.env;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The name of the Proxmox node this runs on. pmxcfs links {@code /etc/pve/local} to
 * {@code nodes/<this node>} (docs/pve-facts.md §6.1), which is exactly the name the API uses in
 * {@code /nodes/<node>/...}; without it (no pmxcfs, odd test trees) the short host name, which is what
 * PVE's {@code PVE::INotify::nodename()} returns.
 */
public final class LocalNode {
    private LocalNode() {
    }

    public static String name(Path pveDir) {
        return fromPmxcfs(pveDir).orElseGet(LocalNode::shortHostname);
    }

    /**
     * This node's name as pmxcfs knows it: {@code <pve>/local} is a symlink to {@code nodes/<name>};
     * empty off-node (no such link).
     */
    public static Optional<String> fromPmxcfs(Path pveDir) {
        Path local = pveDir.resolve("local");
        try {
            if (Files.isSymbolicLink(local)) {
                Path target = Files.readSymbolicLink(local).getFileName();
                if (target != null && !target.toString().isBlank()) {
                    return Optional.of(target.toString());
                }
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // not known here
        }
        return Optional.empty();
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

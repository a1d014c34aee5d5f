package io.timeshift.host.hook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a snippet volume id ({@code local:snippets/x}) to its file the way PVE::Storage::path does
 * for directory-like storages, without starting {@code pvesm} (a Perl process costing about half a
 * second per hook phase): {@code local} is always {@code /var/lib/vz}; other storages come from
 * {@code storage.cfg}'s {@code path}, or {@code /mnt/pve/<id>} for NFS/CIFS/CephFS, plus
 * {@code content-dirs snippets=...} when set.
 */
public final class SnippetPaths {
    private static final Pattern VOLID = Pattern.compile("^([a-z][a-z0-9\\-_.]*[a-z0-9]):snippets/([^/]+)$");

    private SnippetPaths() {
    }

    public static Path resolve(String volid, Path pveDir) {
        Matcher m = VOLID.matcher(volid);
        if (!m.matches()) {
            return null;
        }
        String storage = m.group(1);
        String name = m.group(2);
        String base = null;
        String subdir = "snippets";
        Path cfg = pveDir.resolve("storage.cfg");
        if (Files.isReadable(cfg)) {
            try {
                List<String> lines = Files.readAllLines(cfg, StandardCharsets.UTF_8);
                boolean in = false;
                String type = null;
                for (String line : lines) {
                    if (!line.startsWith(" ") && !line.startsWith("\t") && line.contains(":")) {
                        String[] h = line.split(":", 2);
                        in = h[1].trim().equals(storage);
                        type = h[0].trim();
                        if (in && (type.equals("nfs") || type.equals("cifs") || type.equals("cephfs"))) {
                            base = "/mnt/pve/" + storage;
                        }
                        continue;
                    }
                    if (!in) {
                        continue;
                    }
                    String t = line.trim();
                    if (t.startsWith("path ")) {
                        base = t.substring(5).trim();
                    } else if (t.startsWith("content-dirs ")) {
                        for (String kv : t.substring(13).trim().split(",")) {
                            String[] p = kv.split("=", 2);
                            if (p.length == 2 && p[0].trim().equals("snippets")) {
                                subdir = p[1].trim();
                            }
                        }
                    }
                }
            } catch (IOException ignored) {
                // fall through to the defaults
            }
        }
        if (base == null && storage.equals("local")) {
            base = "/var/lib/vz";
        }
        if (base == null) {
            return null;
        }
        Path dir = subdir.startsWith("/") ? Path.of(subdir) : Path.of(base, subdir);
        return dir.resolve(name);
    }
}

package io.timeshift.host.hook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a snippet volume id ({@code local:snippets/x}) to its file the way {@code PVE::Storage::path}
 * does for the storages that can hold snippets (dir, nfs, cifs, cephfs, btrfs), without starting
 * {@code pvesm} (a Perl process costing about half a second per hook phase). docs/pve-facts.md §3.2
 * has the upstream rules this follows:
 * <ul>
 *   <li>{@code storage.cfg} is read like pve-common's SectionConfig: a section is a header line
 *       {@code <type>: <id>} followed by indented {@code key value} lines up to the next empty line;
 *       {@code #} lines are skipped; the first of duplicate keys counts;</li>
 *   <li>{@code local} is always a dir storage, at {@code /var/lib/vz} unless the file gives it another path
 *       (replaced by that default, without its {@code content-dirs}, when the file has no dir storage
 *       {@code local}); deliberately unlike Proxmox, which also resets another path: see {@link #resolve};</li>
 *   <li>nfs, cifs and cephfs without {@code path} use {@code /mnt/pve/<id>};</li>
 *   <li>{@code content-dirs} is a list split at {@code ,}, {@code ;} and white space; its
 *       {@code snippets=<dir>} entry (the last one counts) replaces the {@code snippets} sub-directory,
 *       and the file is {@code <path>/<dir>/<name>}, always below the storage's path.</li>
 * </ul>
 * Hand-matched: this runs on the hook path (enable --chain), which uses no {@code java.util.regex}.
 */
public final class SnippetPaths {
    private static final String DEFAULT_SUBDIR = "snippets";
    private static final String LOCAL = "local";
    private static final String LOCAL_PATH = "/var/lib/vz";

    private SnippetPaths() {
    }

    /** The file of {@code volid} on this node, from {@code <pveDir>/storage.cfg}; null when it is not a snippet we can place. */
    public static Path resolve(String volid, Path pveDir) {
        String name = VolumeIds.snippetName(volid);
        if (name == null) {
            return null;
        }
        String storage = VolumeIds.storage(volid);
        String text = null;
        Path cfg = pveDir.resolve("storage.cfg");
        try {
            if (Files.isRegularFile(cfg)) {
                text = new String(Files.readAllBytes(cfg), StandardCharsets.UTF_8);
            }
        } catch (IOException | RuntimeException e) {
            text = null; // unreadable: as Proxmox with an empty storage.cfg, only local resolves
        }
        Section s = section(text == null ? "" : text, storage);
        // Proxmox also replaces a local dir storage whose path is not /var/lib/vz; we keep that path, which only a
        // hand-edited file can hold (path is fixed for dir storages) and which the demo's and the tests' trees use
        if (storage.equals(LOCAL) && (s == null || !s.type.equals("dir"))) {
            s = new Section("dir", LOCAL_PATH, null);
        }
        if (s == null) {
            return null;
        }
        String base = s.path;
        if (base == null && storage.equals(LOCAL)) {
            base = LOCAL_PATH;
        }
        if (base == null && (s.type.equals("nfs") || s.type.equals("cifs") || s.type.equals("cephfs"))) {
            base = "/mnt/pve/" + storage;
        }
        boolean snippetType = s.type.equals("dir") || s.type.equals("nfs") || s.type.equals("cifs")
                || s.type.equals("cephfs") || s.type.equals("btrfs");
        if (base == null || !snippetType) {
            return null;
        }
        // btrfs has no content-dirs option: Proxmox drops the line as an unexpected property
        String subdir = s.contentDirs == null || s.type.equals("btrfs") ? null : contentDir(s.contentDirs);
        return file(base, subdir, name);
    }

    /**
     * {@code "<path>/<subdir>/<name>"} as pve-storage's {@code get_subdir} and {@code filesystem_path} join them;
     * {@code subdir} null means the default {@code snippets}. A leading {@code /} in {@code subdir} does not
     * make it absolute (Perl joins strings). Null when the text is no path this system can name (a NUL byte):
     * no such file can exist, so Proxmox's {@code -f} check fails too.
     */
    public static Path file(String path, String subdir, String name) {
        try {
            return Path.of(path + "/" + (subdir == null ? DEFAULT_SUBDIR : subdir) + "/" + name);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /**
     * The snippets directory a {@code content-dirs} value names (pve-storage {@code decode_value}): the part
     * after {@code snippets=} of its last {@code snippets} entry ("" for {@code snippets=}); null, meaning the
     * default {@code snippets}, when there is no such entry or it has no {@code =}.
     */
    public static String contentDir(String contentDirs) {
        String found = null;
        boolean nul = contentDirs.indexOf('\0') >= 0; // split_list splits at NUL only when there is one
        int i = 0;
        int n = contentDirs.length();
        while (i < n) {
            while (i < n && listSeparator(contentDirs.charAt(i), nul)) {
                i++;
            }
            int start = i;
            while (i < n && !listSeparator(contentDirs.charAt(i), nul)) {
                i++;
            }
            if (start == i) {
                continue;
            }
            String entry = contentDirs.substring(start, i);
            int eq = entry.indexOf('=');
            String type = eq < 0 ? entry : entry.substring(0, eq);
            if (type.equals(DEFAULT_SUBDIR)) {
                found = eq < 0 ? null : entry.substring(eq + 1);
            }
        }
        return found;
    }

    /** What one storage.cfg section says about where its snippets are. */
    private record Section(String type, String path, String contentDirs) {
    }

    /** The section of {@code storage} (the last of repeated ones, as a hash assignment keeps), or null. */
    private static Section section(String text, String storage) {
        Section found = null;
        List<String> lines = lines(text);
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i++);
            if (comment(line) || falsy(line)) {
                continue;
            }
            String[] header = header(line);
            if (header == null) {
                continue; // "ignore config line"
            }
            // the section's lines run to the first empty line (comments do not end it)
            String path = null;
            String contentDirs = null;
            while (i < lines.size()) {
                String l = lines.get(i++);
                if (comment(l)) {
                    continue;
                }
                if (falsy(l)) {
                    break;
                }
                String[] kv = property(l);
                if (kv == null || kv[1] == null) {
                    continue; // not a property line, or a value Proxmox refuses: not stored
                }
                if (kv[0].equals("path") && path == null) {
                    path = kv[1]; // a second one is a "duplicate attribute"
                } else if (kv[0].equals("content-dirs") && contentDirs == null) {
                    contentDirs = kv[1];
                }
            }
            if (header[1].equals(storage) && VolumeIds.isStorageId(header[1])) {
                found = new Section(header[0], path, contentDirs);
            }
        }
        return found;
    }

    /** {@code ^(\S+):\s*(\S+)\s*$}: {type lower-cased, id}, or null. */
    private static String[] header(String line) {
        int end = line.length();
        while (end > 0 && space(line.charAt(end - 1))) {
            end--;
        }
        if (end == 0 || space(line.charAt(0))) {
            return null;
        }
        String s = line.substring(0, end);
        int ws = -1;
        for (int k = 0; k < s.length(); k++) {
            if (space(s.charAt(k))) {
                ws = k;
                break;
            }
        }
        int colon;
        int idStart;
        if (ws >= 0) {
            int after = ws;
            while (after < s.length() && space(s.charAt(after))) {
                after++;
            }
            for (int k = after; k < s.length(); k++) {
                if (space(s.charAt(k))) {
                    return null;
                }
            }
            if (s.charAt(ws - 1) != ':' || ws - 1 == 0) {
                return null;
            }
            colon = ws - 1;
            idStart = after;
        } else {
            // greedy \S+ for the type: the last ':' that still leaves an id
            colon = s.lastIndexOf(':', s.length() - 2);
            if (colon <= 0) {
                return null;
            }
            idStart = colon + 1;
        }
        return new String[] {s.substring(0, colon).toLowerCase(java.util.Locale.ROOT), s.substring(idStart)};
    }

    /** {@code ^\s+(\S+)(\s+(.*\S))?\s*$}: {key, value or null}, or null. */
    private static String[] property(String line) {
        int n = line.length();
        int i = 0;
        while (i < n && space(line.charAt(i))) {
            i++;
        }
        if (i == 0 || i == n) {
            return null;
        }
        int keyStart = i;
        while (i < n && !space(line.charAt(i))) {
            i++;
        }
        String key = line.substring(keyStart, i);
        int end = n;
        while (end > i && space(line.charAt(end - 1))) {
            end--;
        }
        while (i < end && space(line.charAt(i))) {
            i++;
        }
        if (i >= end) {
            return new String[] {key, null};
        }
        String value = line.substring(i, end);
        // "property contains a line feed": Proxmox refuses the value, so it does not count
        return value.indexOf('\r') >= 0 ? null : new String[] {key, value};
    }

    /** {@code ^\s*#}. */
    private static boolean comment(String line) {
        int i = 0;
        while (i < line.length() && space(line.charAt(i))) {
            i++;
        }
        return i < line.length() && line.charAt(i) == '#';
    }

    /** What Perl's {@code while ($line = ...)} stops at: an empty line, or one that is just {@code 0}. */
    private static boolean falsy(String line) {
        return line.isEmpty() || line.equals("0");
    }

    /** Perl's {@code \s} for ASCII text. */
    private static boolean space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    /** {@code PVE::Tools::split_list}: {@code ,} {@code ;} and white space separate (NUL alone when present). */
    private static boolean listSeparator(char c, boolean nul) {
        return nul ? c == '\0' : c == ',' || c == ';' || space(c);
    }

    /** Perl's {@code split(/\n/, $raw)} without the trailing empty fields, which change nothing here. */
    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int k = 0; k < text.length(); k++) {
            if (text.charAt(k) == '\n') {
                out.add(text.substring(start, k));
                start = k + 1;
            }
        }
        out.add(text.substring(start));
        return out;
    }
}

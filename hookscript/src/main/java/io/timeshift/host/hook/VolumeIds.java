package io.timeshift.host.hook;

/**
 * Storage ids and snippet volume ids as pve-storage reads them (docs/pve-facts.md §3.1), matched by
 * hand because the hook path uses no {@code java.util.regex}:
 * <ul>
 *   <li>storage id ({@code pve-storage-id}): {@code [a-z][a-z0-9\-_.]*[a-z0-9]} with Perl's {@code /i},
 *       so {@code NAS1} is as valid as {@code nas1}; at least two characters;</li>
 *   <li>volume id ({@code pve-volume-id}): {@code <storage id>:<volname>}, volname not empty;</li>
 *   <li>snippet volname: {@code snippets/<name>}, {@code snippets} in lower case, {@code name} without {@code /}.</li>
 * </ul>
 * Matching is case-insensitive, but a storage id is looked up in {@code storage.cfg} exactly as
 * written (a Perl hash key): {@code NAS1} and {@code nas1} are two storages.
 */
public final class VolumeIds {
    private static final String SNIPPETS = "snippets/";

    private VolumeIds() {
    }

    /** Whether {@code id} is a valid storage id ({@code pve-storage-id}, any letter case). */
    public static boolean isStorageId(String id) {
        if (id == null || id.length() < 2) {
            return false;
        }
        if (!letter(id.charAt(0)) || !(letter(id.charAt(id.length() - 1)) || digit(id.charAt(id.length() - 1)))) {
            return false;
        }
        for (int i = 1; i < id.length() - 1; i++) {
            char c = id.charAt(i);
            if (!(letter(c) || digit(c) || c == '-' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /** The storage id of a volume id ({@code NAS1} of {@code NAS1:snippets/x}), or null when it is none. */
    public static String storage(String volid) {
        String v = withoutFinalNewline(volid);
        if (v == null) {
            return null;
        }
        int colon = v.indexOf(':');
        if (colon < 0 || colon == v.length() - 1) {
            return null;
        }
        String id = v.substring(0, colon);
        return isStorageId(id) ? id : null;
    }

    /** Perl's {@code .+$}: no line feed, except one at the very end, which {@code $} lets stand outside the match. */
    private static String withoutFinalNewline(String volid) {
        if (volid == null) {
            return null;
        }
        String v = volid.endsWith("\n") ? volid.substring(0, volid.length() - 1) : volid;
        return v.indexOf('\n') >= 0 ? null : v;
    }

    /** The file name of a snippet volume ({@code x} of {@code local:snippets/x}), or null when it is none. */
    public static String snippetName(String volid) {
        String storage = storage(volid);
        if (storage == null) {
            return null;
        }
        String volname = withoutFinalNewline(volid).substring(storage.length() + 1);
        if (!volname.startsWith(SNIPPETS) || volname.length() == SNIPPETS.length()
                || volname.indexOf('/', SNIPPETS.length()) >= 0) {
            return null;
        }
        return volname.substring(SNIPPETS.length());
    }

    private static boolean letter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }
}

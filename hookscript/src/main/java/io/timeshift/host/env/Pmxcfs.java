package io.timeshift.host.env;

import io.timeshift.host.io.AtomicFiles;
import io.timeshift.common.error.EnvironmentException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Whether a directory can take our files. pmxcfs without quorum shows directories as 0555 and answers
 * writes with EACCES (docs/pve-facts.md §6.1); root would get past mode bits on a normal filesystem, so the mode
 * is checked explicitly before anything is changed, and {@link #probe} also tries a real write.
 */
public final class Pmxcfs {
    private Pmxcfs() {
    }

    /** Null when {@code dir} (or, when missing, its nearest existing parent) is writable; else why not. */
    public static String readOnlyReason(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return null;
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (!perms.contains(PosixFilePermission.OWNER_WRITE)) {
                return p + " is read-only (mode " + mode(perms) + ")";
            }
        } catch (UnsupportedOperationException | IOException ignored) {
            // no POSIX modes: the write itself will tell
        }
        return null;
    }

    /** Refuses (exit 3) before any change when the policy directory cannot be written. */
    public static void requireWritable(Path policyDir, String nothingChanged) {
        String why = readOnlyReason(policyDir);
        if (why != null) {
            throw new EnvironmentException(why + ": /etc/pve is read-only without cluster quorum (check: pvecm status); "
                    + nothingChanged);
        }
    }

    /** Creates and deletes a temp file in {@code dir}; null when that works, else why not. */
    public static String probe(Path dir) {
        String why = readOnlyReason(dir);
        if (why != null) {
            return why;
        }
        Path existing = dir;
        while (existing != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return dir + " does not exist";
        }
        Path tmp = existing.resolve(".time-shift-doctor." + ProcessHandle.current().pid());
        try {
            Files.write(tmp, new byte[] {'x'});
            Files.delete(tmp);
            return null;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
            return AtomicFiles.describe("cannot write", tmp, e);
        }
    }

    static String mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", m);
    }
}

package io.timeshift.host.cluster;

import io.timeshift.host.io.AtomicFiles;
import io.timeshift.common.error.EnvironmentException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * A secret file that is root-only from its first byte: written by {@link AtomicFiles#write} with
 * {@link AtomicFiles#MODE_0600}, whose temp file is created with that mode (never chmod-ed afterwards,
 * which would leave a window where the secret is world-readable under umask 022). A missing parent
 * directory is created 0700. The content never appears in messages.
 */
final class SecretFile {
    private static final Set<PosixFilePermission> MODE_0700 = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private SecretFile() {
    }

    static void write(Path target, String content) {
        Path dir = target.toAbsolutePath().getParent();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(MODE_0700));
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new EnvironmentException("cannot write " + target + ": " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()) + " (run as root on a cluster node)", e);
        }
        AtomicFiles.write(target, content.getBytes(StandardCharsets.UTF_8), AtomicFiles.MODE_0600);
    }

    /** Mode 0600 (pmxcfs allows only 0600/0640 and sets its own; ignore a refusal there). */
    static void chmod600(Path f) {
        try {
            Files.setPosixFilePermissions(f, AtomicFiles.MODE_0600);
        } catch (IOException | UnsupportedOperationException ignored) {
            // pmxcfs: /etc/pve/priv is root-only anyway
        }
    }

    /**
     * Whether {@code f} itself (not a symlink's target) is exactly mode 0600.
     *
     * @throws IOException                   when its mode cannot be read
     * @throws UnsupportedOperationException on a filesystem without POSIX modes
     */
    static boolean isOwnerOnly(Path f) throws IOException {
        return Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS).equals(AtomicFiles.MODE_0600);
    }
}

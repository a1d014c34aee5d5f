package io.timeshift.host.cluster;

import io.timeshift.pve.error.EnvironmentException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Writes a secret file that is root-only from its first byte: the temp file is created with mode
 * 0600 (not chmod-ed afterwards, which would leave a window where the secret is world-readable
 * under umask 022), fsync-ed, then renamed over the target (the write pattern pmxcfs asks for).
 * The content never appears in messages.
 */
final class SecretFile {
    static final Set<PosixFilePermission> MODE_0600 = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    static final Set<PosixFilePermission> MODE_0700 = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private SecretFile() {
    }

    static void write(Path target, String content) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp." + ProcessHandle.current().pid());
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(MODE_0700));
            }
            Files.deleteIfExists(tmp);
            try (FileChannel ch = FileChannel.open(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(MODE_0600))) {
                ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            chmod600(target);
        } catch (IOException | UnsupportedOperationException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort; the name is ours and dot-prefixed
            }
            throw new EnvironmentException("cannot write " + target + ": " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()) + " (run as root on a cluster node)", e);
        }
    }

    /** Mode 0600 (pmxcfs allows only 0600/0640 and sets its own; ignore a refusal there). */
    static void chmod600(Path f) {
        try {
            Files.setPosixFilePermissions(f, MODE_0600);
        } catch (IOException | UnsupportedOperationException ignored) {
            // pmxcfs: /etc/pve/priv is root-only anyway
        }
    }

    /** Whether {@code f} is exactly mode 0600. */
    static boolean isOwnerOnly(Path f) {
        try {
            return Files.getPosixFilePermissions(f).equals(MODE_0600);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}

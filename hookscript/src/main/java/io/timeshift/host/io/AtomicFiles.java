package io.timeshift.host.io;

import io.timeshift.pve.error.EnvironmentException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file so that a reader sees either the old or the new content, never a half-written one:
 * temp file in the same directory, write, fsync, rename, fsync the directory. pmxcfs ({@code /etc/pve})
 * documents that O_EXCL/O_TRUNC creates are not atomic there and asks for exactly this pattern; it also
 * only accepts modes 0640/0600, which is why the mode is a parameter.
 */
public final class AtomicFiles {
    public static final Set<PosixFilePermission> MODE_0640 = PosixFilePermissions.fromString("rw-r-----");
    public static final Set<PosixFilePermission> MODE_0600 = PosixFilePermissions.fromString("rw-------");
    private static final java.util.concurrent.atomic.AtomicLong TEMP_SEQ = new java.util.concurrent.atomic.AtomicLong();

    private AtomicFiles() {
    }

    public static void write(Path target, byte[] content, Set<PosixFilePermission> mode) {
        Path dir = target.toAbsolutePath().getParent();
        // unique per write, not only per process: two threads writing one target must not share a temp file
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp." + ProcessHandle.current().pid() + "."
                + TEMP_SEQ.incrementAndGet());
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.setPosixFilePermissions(tmp, mode);
            } catch (UnsupportedOperationException | IOException ignored) {
                // not every filesystem has POSIX modes; pmxcfs sets its own
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDir(dir);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort; the temp name is ours and dot-prefixed
            }
            throw new EnvironmentException(describe("cannot write", target, e), e);
        }
    }

    private static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some filesystems (FUSE) refuse fsync on directories; the rename is still atomic
        }
    }

    /** One-line description of an I/O failure on a path, with the fix for the usual causes. */
    public static String describe(String what, Path path, IOException e) {
        if (e instanceof AccessDeniedException) {
            return what + " " + path + ": permission denied (run as root; /etc/pve is read-only without quorum)";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return what + " " + path + ": " + fse.getReason();
        }
        return what + " " + path + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
}

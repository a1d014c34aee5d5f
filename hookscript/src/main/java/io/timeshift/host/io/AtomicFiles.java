package io.timeshift.host.io;

import io.timeshift.common.error.EnvironmentException;

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

    /** Distinguishes this process's temp files (no ProcessHandle: its first use costs a fresh JVM ~5 ms). */
    private static final String TOKEN = Long.toHexString(new java.util.SplittableRandom().nextLong());

    private AtomicFiles() {
    }

    public static void write(Path target, byte[] content, Set<PosixFilePermission> mode) {
        Path dir = target.toAbsolutePath().getParent();
        // unique per write, not only per process: two threads writing one target must not share a temp file
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp." + TOKEN + "."
                + TEMP_SEQ.incrementAndGet());
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = open(tmp, mode)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
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

    /** Creates the temp file with its final mode (no separate chmod: one syscall and no attribute views). */
    private static FileChannel open(Path tmp, Set<PosixFilePermission> mode) throws IOException {
        Set<StandardOpenOption> opts = java.util.EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return FileChannel.open(tmp, opts, PosixFilePermissions.asFileAttribute(mode));
        } catch (UnsupportedOperationException e) {
            return FileChannel.open(tmp, opts); // not every filesystem has POSIX modes; pmxcfs sets its own
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
        if (e instanceof FileSystemException fse && "Operation not permitted".equals(fse.getReason())) {
            // EPERM: denied even to root (an immutable directory, a read-only FUSE mount)
            return what + " " + path + ": permission denied even to root (immutable? check lsattr; /etc/pve without quorum?)";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return what + " " + path + ": " + fse.getReason();
        }
        return what + " " + path + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
}

package io.timeshift.guest.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/** Builds a fake guest filesystem root: RTC in sysfs, systemd binaries with chosen mtimes, policy.json. */
public final class GuestFiles {
    private final Path root;

    public GuestFiles(Path root) {
        this.root = root;
    }

    public GuestFiles rtc(Instant t) {
        return write("sys/class/rtc/rtc0/since_epoch", t.getEpochSecond() + "\n");
    }

    public GuestFiles withMtime(String relative, Instant mtime) {
        write(relative, "");
        try {
            Files.setLastModifiedTime(root.resolve(relative), FileTime.from(mtime));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public GuestFiles write(String relative, String content) {
        Path p = root.resolve(relative);
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}

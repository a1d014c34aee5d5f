package io.timeshift.guest.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The earliest time systemd lets this guest's clock show at boot. PID 1 advances a clock that is
 * earlier than its epoch: the mtime of {@code /usr/lib/clock-epoch} if present, else its build time
 * (systemd #15320, #16334). {@code systemctl --version} does not print the build date; the mtime of
 * {@code /usr/lib/systemd/systemd} (dpkg keeps the package's mtimes) is the practical bound.
 * systemd-timesyncd, and PID 1 since v250, also advance to the mtime of
 * {@code /var/lib/systemd/timesync/clock}.
 */
public final class SystemdEpoch {
    /** {@code bumpTo} = the later of {@code epoch} and {@code timesyncClock}; {@code source} names the file it came from. */
    public record Info(Instant epoch, String epochSource, Instant timesyncClock, Instant bumpTo, String bumpSource) {
    }

    private SystemdEpoch() {
    }

    /** @return null when neither file exists (not a systemd guest) */
    public static Info read(Path root) {
        Instant epoch = null;
        String source = null;
        for (String f : new String[] {"usr/lib/clock-epoch", "usr/lib/systemd/systemd", "lib/systemd/systemd"}) {
            epoch = mtime(root.resolve(f));
            if (epoch != null) {
                source = "/" + f + (f.endsWith("clock-epoch") ? "" : " (build date)");
                break;
            }
        }
        Instant clockFile = mtime(root.resolve("var/lib/systemd/timesync/clock"));
        if (epoch == null && clockFile == null) {
            return null;
        }
        Instant bumpTo = epoch;
        String bumpSource = source;
        if (clockFile != null && (bumpTo == null || clockFile.isAfter(bumpTo))) {
            bumpTo = clockFile;
            bumpSource = "/var/lib/systemd/timesync/clock";
        }
        return new Info(epoch, source, clockFile, bumpTo, bumpSource);
    }

    private static Instant mtime(Path p) {
        try {
            return Files.exists(p) ? Files.getLastModifiedTime(p).toInstant() : null;
        } catch (IOException e) {
            return null;
        }
    }
}

package io.timeshift.guest.sys;

import io.timeshift.common.error.EnvironmentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Reads the guest's real-time clock, which the host controls: Proxmox starts the VM with
 * {@code -rtc base=<startdate>} and the agent's {@code guest-set-time} writes the RTC too. Prefers
 * {@code /sys/class/rtc/rtc0/since_epoch} (no process, whole seconds) and falls back to
 * {@code hwclock --get}. Honours {@code /etc/adjtime}'s LOCAL/UTC line.
 */
public final class Rtc {
    private final Path root;
    private final CommandRunner runner;

    public Rtc(Path root, CommandRunner runner) {
        this.root = root;
        this.runner = runner;
    }

    /** What was read, where from, and how coarse it is. */
    public record Reading(Instant time, String source, Duration resolution, boolean localTime) {
    }

    /** @throws EnvironmentException when neither sysfs nor hwclock gives a time */
    public Reading read() {
        boolean local = rtcInLocalTime();
        Path sysfs = root.resolve("sys/class/rtc/rtc0/since_epoch");
        String sysfsProblem;
        try {
            long seconds = Long.parseLong(Files.readString(sysfs).trim());
            Instant t = Instant.ofEpochSecond(seconds);
            if (local) {
                // the kernel read the RTC fields as if they were UTC; they are local wall time
                t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC).atZone(ZoneId.systemDefault()).toInstant();
            }
            return new Reading(t, "/sys/class/rtc/rtc0/since_epoch", Duration.ofSeconds(1), local);
        } catch (IOException | NumberFormatException e) {
            sysfsProblem = "/sys/class/rtc/rtc0/since_epoch unreadable";
        }
        CommandResult r = runner.run(List.of("hwclock", "--get", local ? "--localtime" : "--utc"), Duration.ofSeconds(10));
        if (!r.ok()) {
            throw new EnvironmentException("cannot read the RTC: " + sysfsProblem + ", and hwclock --get: " + r.firstErrorLine());
        }
        String out = r.stdout().trim();
        try {
            // util-linux >= 2.32: "2026-11-25 17:40:52.123456+00:00"
            return new Reading(OffsetDateTime.parse(out.replaceFirst(" ", "T")).toInstant(), "hwclock --get",
                    Duration.ofMillis(1), local);
        } catch (DateTimeParseException e) {
            throw new EnvironmentException("cannot read the RTC: hwclock --get printed '" + out + "', expected 2026-11-25 17:40:52.123456+00:00");
        }
    }

    /** {@code /etc/adjtime}, third line: {@code LOCAL} or {@code UTC} (missing file means UTC). */
    public boolean rtcInLocalTime() {
        try {
            List<String> lines = Files.readAllLines(root.resolve("etc/adjtime"));
            return lines.size() >= 3 && "LOCAL".equals(lines.get(2).trim());
        } catch (IOException e) {
            return false;
        }
    }
}

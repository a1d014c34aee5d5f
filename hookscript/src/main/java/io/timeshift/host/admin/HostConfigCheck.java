package io.timeshift.host.admin;

import io.timeshift.host.env.HostConfig;
import io.timeshift.common.error.TimeShiftException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code /etc/time-shift/config.json} is valid, or absent (built-in defaults). */
final class HostConfigCheck implements DoctorCheck {
    private final Path file;

    HostConfigCheck(Path file) {
        this.file = file;
    }

    @Override
    public List<DoctorService.Check> run() {
        try {
            HostConfig.load(file);
            return List.of(DoctorService.ok("config", Files.exists(file) ? file + " is valid" : file + " absent: built-in defaults"));
        } catch (TimeShiftException e) {
            return List.of(DoctorService.bad("config", e.getMessage(), "fix the named field in " + file));
        }
    }
}

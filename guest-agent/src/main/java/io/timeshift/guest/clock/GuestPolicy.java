package io.timeshift.guest.clock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.time.Durations;
import io.timeshift.common.time.Whens;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The guest's view of {@code policy.json}, which the host's apply writes into the guest (the
 * per-VM policy plus {@code expectedOffsetMs}, {@code appliedAt}, ...). The host owns that schema,
 * so this reader is lenient: unknown fields are ignored, fields this side does not use are not
 * even parsed, and a used field with a bad value becomes a {@link #warnings() warning} and its
 * default (hold must still restore the clock at boot). Only a file that is not a JSON object is an
 * error (exit 2).
 *
 * <p>Fields read: {@code mode}, {@code date} (fixed mode: where every start begins),
 * {@code tolerance} (default 2 s), {@code timeSync} ({@code disable}|{@code keep}, default disable),
 * {@code expectedOffsetMs} (the shift: guest time minus real time at apply, null when absent).
 */
public record GuestPolicy(
        Path file, String mode, Instant date, Duration tolerance, boolean keepTimeSync, Long expectedOffsetMs,
        List<String> warnings) {
    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(2);

    /** @return empty when the file does not exist */
    public static Optional<GuestPolicy> load(Path file, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (AccessDeniedException e) {
            throw new EnvironmentException(file + ": permission denied; run as root");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": not readable JSON (" + firstLine(e.getMessage()) + "); the host's `time-shift apply <vmid>` rewrites it");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(file + ": expected a JSON object; the host's `time-shift apply <vmid>` rewrites it");
        }
        List<String> warnings = new ArrayList<>();
        String mode = text(root, "mode");
        if (mode != null && !List.of("fixed", "offset", "continue").contains(mode)) {
            warnings.add(file + ": field 'mode': '" + mode + "' is not fixed|offset|continue");
            mode = null;
        }
        Instant date = parse(root, "date", warnings, file, t -> Whens.parse(t, "date"));
        Duration tolerance = parse(root, "tolerance", warnings, file, t -> Durations.parse(t, "tolerance"));
        if (tolerance != null && tolerance.isNegative()) {
            warnings.add(file + ": field 'tolerance' must not be negative");
            tolerance = null;
        }
        String timeSync = text(root, "timeSync");
        if (timeSync != null && !timeSync.equals("disable") && !timeSync.equals("keep")) {
            warnings.add(file + ": field 'timeSync': '" + timeSync + "' is not disable|keep; treating as disable");
        }
        Long expectedOffsetMs = null;
        JsonNode off = root.get("expectedOffsetMs");
        if (off != null && !off.isNull()) {
            if (off.canConvertToLong() && off.isIntegralNumber()) {
                expectedOffsetMs = off.asLong();
            } else {
                warnings.add(file + ": field 'expectedOffsetMs' must be an integer (milliseconds)");
            }
        }
        return Optional.of(new GuestPolicy(file, mode, date, tolerance == null ? DEFAULT_TOLERANCE : tolerance,
                "keep".equals(timeSync), expectedOffsetMs, List.copyOf(warnings)));
    }

    /**
     * True when {@code systemMinusRtc} equals the shift: the system clock is shifted but the RTC still
     * shows real time (qemu-ga set the system time, then its {@code hwclock -w} failed; docs/pve-facts.md §4.2).
     * Restoring from such an RTC would undo the shift. The minute of slack covers the time between
     * the host's apply and this reading.
     */
    public boolean rtcLooksUnshifted(Duration systemMinusRtc) {
        if (expectedOffsetMs == null || Math.abs(expectedOffsetMs) <= tolerance.toMillis() + 60_000) {
            return false;
        }
        return Math.abs(systemMinusRtc.toMillis() - expectedOffsetMs) <= tolerance.toMillis() + 60_000;
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private interface Parser<T> {
        T parse(String text);
    }

    private static <T> T parse(JsonNode root, String field, List<String> warnings, Path file, Parser<T> p) {
        String t = text(root, field);
        if (t == null) {
            return null;
        }
        try {
            return p.parse(t);
        } catch (TimeShiftException e) {
            warnings.add(file + ": field " + e.getMessage());
            return null;
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.split("\n", 2)[0];
    }
}

package io.timeshift.common.policy;

import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.common.json.LightJson;
import io.timeshift.common.time.Durations;
import io.timeshift.common.time.Whens;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The guest's copy of a VM's policy, {@value #FILE}: the host's apply worker writes it into the guest
 * (through the guest agent) with {@link #toJson}, and {@code time-shift-guest verify}/{@code hold} read it
 * with {@link #load}: one schema, one JSON library ({@link LightJson}), one place.
 *
 * <p>Written: the host policy's fields (less {@code original} and {@code chain}, which are the host's
 * business), plus {@code expectedOffsetMs} (the shift: guest time minus real time at apply),
 * {@code appliedAt} (guest time after the apply) and {@code hostAppliedAt}.
 *
 * <p>Read leniently, because a newer host may write more: unknown fields are ignored, and a used field
 * with a bad value becomes a {@link #warnings() warning} and its default (hold must still restore the
 * clock at boot). Only a file that is not a JSON object is an error (exit 2). Fields read: {@code mode},
 * {@code date}, {@code tolerance} (default 2 s), {@code timeSync} ({@code disable}|{@code keep}, default
 * disable), {@code expectedOffsetMs}.
 */
public record GuestPolicy(
        Path file, String mode, Instant date, Duration tolerance, boolean keepTimeSync, Long expectedOffsetMs,
        List<String> warnings) {
    /** Where the guest package keeps its state. */
    public static final String GUEST_DIR = "/var/lib/time-shift-guest";
    /** The file, in the guest. */
    public static final String FILE = GUEST_DIR + "/policy.json";
    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(2);

    /**
     * The file's bytes as the host writes them.
     *
     * @param hostPolicy    the host policy's JSON map ({@code Policy.toJson()})
     * @param appliedAt     the guest's time right after the apply (ISO text), or null
     * @param hostAppliedAt the host's time when the apply finished (ISO text), or null
     */
    public static byte[] toJson(Map<String, Object> hostPolicy, long expectedOffsetMs, Object appliedAt, Object hostAppliedAt) {
        Map<String, Object> g = new LinkedHashMap<>(hostPolicy);
        g.remove("original");
        g.remove("chain");
        g.put("expectedOffsetMs", expectedOffsetMs);
        g.put("appliedAt", appliedAt);
        g.put("hostAppliedAt", hostAppliedAt);
        return (LightJson.pretty(g) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** @return empty when the file does not exist */
    public static Optional<GuestPolicy> load(Path file) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (AccessDeniedException e) {
            throw new EnvironmentException(file + ": permission denied; run as root");
        } catch (IOException e) {
            throw new EnvironmentException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return Optional.of(parse(file, text));
    }

    /** @throws InvalidInputException when the text is not a JSON object */
    public static GuestPolicy parse(Path file, String text) {
        Object root;
        try {
            root = LightJson.parsePlain(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file + ": not readable JSON (" + e.getMessage() + "); the host's `time-shift apply <vmid>` rewrites it");
        }
        if (!(root instanceof Map<?, ?> m)) {
            throw new InvalidInputException(file + ": expected a JSON object; the host's `time-shift apply <vmid>` rewrites it");
        }
        List<String> warnings = new ArrayList<>();
        String mode = text(m, "mode");
        if (mode != null && !mode.equals("fixed") && !mode.equals("offset") && !mode.equals("continue")) {
            warnings.add(file + ": field 'mode': '" + mode + "' is not fixed|offset|continue");
            mode = null;
        }
        Instant date = null;
        Duration tolerance = null;
        String d = text(m, "date");
        String t = text(m, "tolerance");
        try {
            date = d == null ? null : Whens.parse(d, "date");
        } catch (TimeShiftException e) {
            warnings.add(file + ": field " + e.getMessage());
        }
        try {
            tolerance = t == null ? null : Durations.parse(t, "tolerance");
        } catch (TimeShiftException e) {
            warnings.add(file + ": field " + e.getMessage());
        }
        if (tolerance != null && tolerance.isNegative()) {
            warnings.add(file + ": field 'tolerance' must not be negative");
            tolerance = null;
        }
        String timeSync = text(m, "timeSync");
        if (timeSync != null && !timeSync.equals("disable") && !timeSync.equals("keep")) {
            warnings.add(file + ": field 'timeSync': '" + timeSync + "' is not disable|keep; treating as disable");
        }
        Long expectedOffsetMs = null;
        Object off = m.get("expectedOffsetMs");
        if (off instanceof Long l) {
            expectedOffsetMs = l;
        } else if (off != null && off != LightJson.NULL) {
            warnings.add(file + ": field 'expectedOffsetMs' must be an integer (milliseconds)");
        }
        return new GuestPolicy(file, mode, date, tolerance == null ? DEFAULT_TOLERANCE : tolerance,
                "keep".equals(timeSync), expectedOffsetMs, List.copyOf(warnings));
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

    /** A scalar field as text (a number or boolean as JSON writes it); null when absent or JSON null; objects and lists too. */
    private static String text(Map<?, ?> m, String field) {
        Object v = m.get(field);
        if (v == null || v == LightJson.NULL || v instanceof Map || v instanceof List) {
            return null;
        }
        return String.valueOf(v);
    }
}

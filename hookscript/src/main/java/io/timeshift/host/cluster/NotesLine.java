package io.timeshift.host.cluster;

import io.timeshift.host.policy.Mode;
import io.timeshift.host.time.TimeParsers;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one line {@code enable}/{@code apply} keep at the end of a VM's Notes (contract, "What the
 * Proxmox GUI shows"):
 * <pre>time-shift: fixed 2021-03-01T12:00:00Z · last apply ok 2026-11-25T10:31Z · drift 4 ms</pre>
 * It is what a machine without {@code /etc/pve} (a workstation using {@code --remote}) knows about a
 * VM's policy. Parsing is lenient by design: the Notes are free text a person may edit, so a part
 * that does not parse is left out instead of failing the whole status. Only the last
 * {@code time-shift: } line counts.
 *
 * @param mode        the policy mode
 * @param date        for fixed and continue, else null
 * @param offset      for offset, else null
 * @param lastResult  {@code ok|failed|skipped} of the last apply, or null
 * @param lastAt      when the last apply finished, or null
 * @param driftMs     the drift measured by the last apply, or null
 */
public record NotesLine(Mode mode, Instant date, Duration offset, String lastResult, Instant lastAt, Double driftMs) {
    public static final String PREFIX = "time-shift: ";
    private static final String SEPARATOR = "\u00b7"; // "·", MIDDLE DOT

    /** The last {@code time-shift: } line of {@code notes} that names a known mode, if any. */
    public static Optional<NotesLine> find(String notes) {
        if (notes == null || notes.isEmpty()) {
            return Optional.empty();
        }
        String last = null;
        for (String line : notes.split("\\R")) {
            String l = line.strip();
            if (l.startsWith(PREFIX)) {
                last = l;
            }
        }
        return last == null ? Optional.empty() : parse(last);
    }

    static Optional<NotesLine> parse(String line) {
        String[] parts = line.substring(PREFIX.length()).split(SEPARATOR);
        String[] head = parts[0].strip().split("\\s+");
        if (head.length < 2) {
            return Optional.empty();
        }
        Mode mode = mode(head[0]);
        if (mode == null) {
            return Optional.empty();
        }
        Instant date = null;
        Duration offset = null;
        try {
            if (mode == Mode.OFFSET) {
                offset = TimeParsers.parseDuration(head[1], "Notes");
            } else {
                date = TimeParsers.parseInstant(head[1]);
            }
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        String result = null;
        Instant at = null;
        Double drift = null;
        for (int i = 1; i < parts.length; i++) {
            String[] w = parts[i].strip().split("\\s+");
            if (w.length >= 3 && w[0].equals("last") && w[1].equals("apply")) {
                result = w[2];
                at = w.length >= 4 ? lenientInstant(w[3]) : null;
            } else if (w.length >= 2 && w[0].equals("drift")) {
                try {
                    drift = Double.parseDouble(w[1]);
                } catch (NumberFormatException ignored) {
                    // a hand-edited value: leave it out
                }
            }
        }
        return Optional.of(new NotesLine(mode, date, offset, result, at, drift));
    }

    private static Mode mode(String id) {
        for (Mode m : Mode.values()) {
            if (m.id().equals(id)) {
                return m;
            }
        }
        return null;
    }

    /** {@code 2026-11-25T10:31Z} (minutes, as the Notes line writes it) or a full ISO instant. */
    private static Instant lenientInstant(String s) {
        try {
            if (s.length() == 17 && s.charAt(13) == ':' && (s.endsWith("Z") || s.endsWith("z"))) {
                return TimeParsers.parseInstant(s.substring(0, 16) + ":00Z");
            }
            return TimeParsers.parseInstant(s);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * What the line says about the last apply, in the shape of the state's {@code lastApply}, marked
     * {@code "source": "notes"}; null when the line says nothing about it.
     */
    public Map<String, Object> lastApply() {
        if (lastResult == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("result", lastResult);
        m.put("finishedAt", lastAt == null ? null : TimeParsers.iso(lastAt));
        m.put("errorMs", driftMs);
        m.put("source", "notes");
        return m;
    }
}

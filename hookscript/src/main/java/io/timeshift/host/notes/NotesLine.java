package io.timeshift.host.notes;

import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.common.time.Durations;
import io.timeshift.common.time.Instants;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one line time-shift keeps at the end of a VM's Notes (config {@code description}); contract,
 * "What the Proxmox GUI shows":
 * <pre>time-shift: fixed 2021-03-01T12:00:00Z · last apply ok 2026-11-25T10:31Z · drift 4 ms</pre>
 * {@code enable} writes it ({@link #fresh}), {@code apply} keeps it current ({@link #applied}),
 * {@code disable} removes it ({@link #remove}), and a machine without {@code /etc/pve} (a workstation
 * using {@code --remote}) reads the policy from it ({@link #parse}).
 *
 * <p><b>Which line is ours:</b> a line that starts (column 0) with {@value #PREFIX}; every other byte of
 * the Notes is kept, including whether the text ended with a newline, so {@code remove(put(x, l))}
 * gives {@code x} back. When a person left several, {@link #put} keeps one (where the first was) and
 * {@link #parse}/{@link #findRaw} read the last.
 *
 * <p><b>Separators:</b> {@code " · "} as in the contract, or {@link #ASCII_SEPARATOR} when
 * the locale cannot pass U+00B7 to pvesh ({@code admin.ArgvText}). The parser accepts both; dates and
 * offsets contain {@code -} but never with a space on both sides.
 *
 * <p><b>Parsing is lenient:</b> the Notes are free text a person may edit, so a part that does not parse
 * is left out instead of failing; only the mode and its date/offset are required.
 *
 * @param mode       the policy mode
 * @param date       for fixed and continue, else null
 * @param offset     for offset, else null
 * @param lastResult {@code ok|failed|skipped} of the last apply, or null (none yet: {@code last apply -})
 * @param lastAt     when the last apply finished (to the minute), or null
 * @param driftMs    the drift the last apply measured, or null
 */
public record NotesLine(Mode mode, Instant date, Duration offset, String lastResult, Instant lastAt, Double driftMs) {
    public static final String PREFIX = "time-shift: ";
    /** The contract's separator, U+00B7 MIDDLE DOT with a space each side. */
    public static final String SEPARATOR = " \u00b7 ";
    /** Used only when the locale cannot pass U+00B7 to pvesh. */
    public static final String ASCII_SEPARATOR = " - ";
    private static final String SEPARATOR_CHAR = "\u00b7";
    private static final String NONE = "-";
    /**
     * Proxmox's limit for {@code description}: qemu-server's {@code maxLength => 1024 * 8}, checked with Perl's
     * {@code length} on the decoded text, so it counts characters (code points), not bytes and not the
     * percent-encoded form in the config file (docs/pve-facts.md §6.2).
     */
    public static final int MAX_NOTES = 8192;

    // ------------------------------------------------------------------ writing the line

    /** The line for a freshly enabled policy: nothing applied yet ({@code last apply - · drift -}). */
    public static String fresh(Policy p, String separator) {
        return PREFIX + p.summary() + separator + "last apply " + NONE + separator + "drift " + NONE;
    }

    /**
     * The line after an apply: {@code time-shift: fixed 2021-03-01T12:00:00Z · last apply ok 2026-11-25T10:31Z · drift 4 ms}.
     *
     * @param result    {@code ok|failed|skipped}; null or blank writes {@code last apply -}
     * @param at        when the apply finished, written to the minute (rounded down), {@code yyyy-MM-ddTHH:mmZ}; may be null
     * @param driftMs   the measured drift: whole ms when |drift| &ge; 1, else one decimal; null writes {@code drift -}
     * @param separator {@link #SEPARATOR}, or {@link #ASCII_SEPARATOR} where the locale needs it
     */
    public static String applied(Policy p, String result, Instant at, Double driftMs, String separator) {
        StringBuilder sb = new StringBuilder(96).append(PREFIX).append(p.summary()).append(separator).append("last apply ");
        if (result == null || result.isBlank()) {
            sb.append(NONE);
        } else {
            sb.append(result.strip());
            if (at != null) {
                sb.append(' ').append(minutes(at));
            }
        }
        sb.append(separator).append("drift ").append(drift(driftMs));
        if (driftMs != null && Double.isFinite(driftMs)) {
            sb.append(" ms");
        }
        return sb.toString();
    }

    /** {@code 2026-11-25T10:31Z}: to the minute, rounded down. */
    static String minutes(Instant at) {
        String iso = Instants.iso(at.truncatedTo(ChronoUnit.MINUTES));
        // "yyyy-MM-ddTHH:mm:00Z" for years 0000-9999 (the only ones a policy can hold)
        return iso.length() == 20 ? iso.substring(0, 16) + "Z" : iso;
    }

    /** {@code 4}, {@code -12}, {@code 0.3}, {@code -0.4}, {@code 0.0}; {@code -} for null or not finite. */
    static String drift(Double ms) {
        if (ms == null || !Double.isFinite(ms)) {
            return NONE;
        }
        double abs = Math.abs(ms);
        long tenths = Math.round(abs * 10);
        String text;
        if (abs >= 1 || tenths >= 10) {
            text = Long.toString(Math.round(abs));
        } else {
            text = tenths / 10 + "." + tenths % 10;
        }
        return ms < 0 && !text.equals("0.0") ? "-" + text : text;
    }

    // ------------------------------------------------------------------ editing the Notes

    /** {@code description} with our line replaced (where the first was), or appended at the end when it has none. */
    public static String put(String description, String line) {
        List<String> segs = segments(description);
        boolean replaced = false;
        List<String> out = new ArrayList<>();
        for (String s : segs) {
            if (isOurs(s)) {
                if (!replaced) {
                    out.add(line + (s.endsWith("\n") ? "\n" : ""));
                    replaced = true;
                }
                continue;
            }
            out.add(s);
        }
        if (!replaced) {
            if (out.isEmpty()) {
                return line;
            }
            String last = out.get(out.size() - 1);
            boolean endedWithNewline = last.endsWith("\n");
            if (!endedWithNewline) {
                out.set(out.size() - 1, last + "\n");
            }
            out.add(line + (endedWithNewline ? "\n" : ""));
        }
        return String.join("", out);
    }

    /** The length Proxmox checks against {@link #MAX_NOTES}: characters (code points), as Perl counts decoded text. */
    public static int length(String text) {
        return text == null ? 0 : text.codePointCount(0, text.length());
    }

    /**
     * {@link #put} when the result stays within {@link #MAX_NOTES}; null when it would not (then nothing is
     * written: the admin's text is kept as it is, and {@link #noRoom} says so).
     */
    public static String putWithin(String description, String line) {
        String after = put(description, line);
        return length(after) <= MAX_NOTES ? after : null;
    }

    /** The one line saying that {@link #putWithin} found no room for our line in VM {@code vmid}'s Notes. */
    public static String noRoom(int vmid, String description, String line) {
        return "VM " + vmid + ": Notes left unchanged without the time-shift line: with it they would have "
                + length(put(description, line)) + " characters, Proxmox allows " + MAX_NOTES
                + "; shorten the Notes to make room";
    }

    /** {@code description} without our line(s); "" when nothing else was there. */
    public static String remove(String description) {
        List<String> segs = segments(description);
        List<String> out = new ArrayList<>();
        boolean droppedUnterminatedLast = false;
        for (int i = 0; i < segs.size(); i++) {
            String s = segs.get(i);
            if (isOurs(s)) {
                droppedUnterminatedLast = i == segs.size() - 1 && !s.endsWith("\n");
                continue;
            }
            out.add(s);
        }
        if (droppedUnterminatedLast && !out.isEmpty()) {
            String last = out.get(out.size() - 1);
            out.set(out.size() - 1, last.substring(0, last.length() - 1));
        }
        return String.join("", out);
    }

    /** Our line in {@code description} as written (the last one, without its line end), or null. */
    public static String findRaw(String description) {
        String found = null;
        for (String s : segments(description)) {
            if (isOurs(s)) {
                found = s;
            }
        }
        if (found == null) {
            return null;
        }
        int end = found.length();
        while (end > 0 && (found.charAt(end - 1) == '\n' || found.charAt(end - 1) == '\r')) {
            end--;
        }
        return found.substring(0, end);
    }

    // ------------------------------------------------------------------ reading the line

    /** What our line in {@code description} says; empty when there is none or its mode/date does not parse. */
    public static Optional<NotesLine> parse(String description) {
        String line = findRaw(description);
        return line == null ? Optional.empty() : parseLine(line);
    }

    /** One line starting with {@value #PREFIX}. */
    static Optional<NotesLine> parseLine(String line) {
        if (!line.startsWith(PREFIX)) {
            return Optional.empty();
        }
        List<String> t = tokens(line.substring(PREFIX.length()));
        if (t.size() < 2) {
            return Optional.empty();
        }
        Mode mode = Mode.parse(t.get(0));
        if (mode == null) {
            return Optional.empty();
        }
        Instant date = null;
        Duration offset = null;
        try {
            if (mode == Mode.OFFSET) {
                offset = Durations.parse(t.get(1), "Notes");
            } else {
                date = Instants.parseInstant(t.get(1));
            }
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        String result = null;
        Instant at = null;
        Double drift = null;
        for (int i = 2; i < t.size(); i++) {
            if (t.get(i).equals("last") && i + 2 < t.size() && t.get(i + 1).equals("apply")) {
                String r = t.get(i + 2);
                if (!isSeparator(r)) {
                    result = r;
                    if (i + 3 < t.size() && !isSeparator(t.get(i + 3))) {
                        at = lenientInstant(t.get(i + 3));
                    }
                }
            } else if (t.get(i).equals("drift") && i + 1 < t.size() && !isSeparator(t.get(i + 1))) {
                drift = lenientDouble(t.get(i + 1));
            }
        }
        return Optional.of(new NotesLine(mode, date, offset, result, at, drift));
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
        m.put("finishedAt", lastAt == null ? null : Instants.iso(lastAt));
        m.put("errorMs", driftMs);
        m.put("source", "notes");
        return m;
    }

    // ------------------------------------------------------------------ helpers

    private static boolean isOurs(String segment) {
        return segment.startsWith(PREFIX);
    }

    /** Words of the line, with every "·" a word of its own (also when a person left out the spaces). */
    private static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == '\u00b7') {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
                if (c == '\u00b7') {
                    out.add(SEPARATOR_CHAR);
                }
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    /** A separator word, or the "-" that means "none yet" (the two look alike with {@link #ASCII_SEPARATOR}). */
    private static boolean isSeparator(String token) {
        return token.equals(SEPARATOR_CHAR) || token.equals(NONE);
    }

    /** {@code 2026-11-25T10:31Z} (minutes, as the line writes it) or a full ISO instant; null otherwise. */
    private static Instant lenientInstant(String s) {
        try {
            if (s.length() == 17 && s.charAt(13) == ':' && (s.endsWith("Z") || s.endsWith("z"))) {
                return Instants.parseInstant(s.substring(0, 16) + ":00Z");
            }
            return Instants.parseInstant(s);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Double lenientDouble(String s) {
        if (s.endsWith("ms")) {
            s = s.substring(0, s.length() - 2);
        }
        try {
            double d = Double.parseDouble(s);
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null; // a hand-edited value: leave it out
        }
    }

    /** Lines with their terminators. */
    private static List<String> segments(String text) {
        List<String> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                out.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }
}

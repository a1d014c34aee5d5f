package io.timeshift.host.admin;

import io.timeshift.host.policy.Policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The one line {@code enable} puts at the end of a VM's Notes (config {@code description}) and
 * {@code disable} removes (contract "What the Proxmox GUI shows"):
 * {@code time-shift: fixed 2021-03-01T12:00:00Z · last apply - · drift -}. Only lines starting with
 * {@code "time-shift: "} are ours; every other byte of the Notes is kept, including whether the text
 * ended with a newline, so {@code remove(put(x, l))} gives {@code x} back.
 */
public final class NotesLine {
    public static final String PREFIX = "time-shift: ";
    /** The contract's separator (U+00B7). */
    public static final String SEPARATOR = " \u00b7 ";
    /** Used only when the locale cannot pass U+00B7 to pvesh (see {@link ArgvText}). */
    public static final String ASCII_SEPARATOR = " - ";

    private NotesLine() {
    }

    /** The line for a freshly enabled policy: nothing applied yet. */
    public static String fresh(Policy p, String separator) {
        return PREFIX + p.summary() + separator + "last apply -" + separator + "drift -";
    }

    /** {@code description} with our line replaced, or appended at the end when it has none. */
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

    /** Our line in {@code description}, or null. */
    public static String find(String description) {
        for (String s : segments(description)) {
            if (isOurs(s)) {
                return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
            }
        }
        return null;
    }

    private static boolean isOurs(String segment) {
        return segment.startsWith(PREFIX);
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

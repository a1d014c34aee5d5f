package io.timeshift.host.cli;

import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.audit.LineReader;
import io.timeshift.host.io.Json;
import io.timeshift.common.error.TimeShiftException;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code time-shift audit} without {@code --verify}: one output line per log line, whatever the log holds.
 * An entry is shown as itself; a line that is not one (torn, edited, foreign, longer than
 * {@link AuditLog#MAX_LINE}) is shown as a note saying so, so that {@code --json} is always one valid
 * JSON array: {@code {"line":N,"invalid":"not an audit entry: <why>","text":"<first 200 characters>"}}.
 */
public final class AuditListing implements LineReader.Visitor {
    /** How much of a line that is not an entry the listing shows. */
    static final int SHOWN = 200;

    private final PrintWriter out;
    private final boolean json;
    private final String source;
    private long count;

    private AuditListing(PrintWriter out, boolean json, String source) {
        this.out = out;
        this.json = json;
        this.source = source;
    }

    /** Lists the log (which exists). */
    static void list(AuditLog log, PrintWriter out, boolean json) throws IOException {
        AuditListing l = new AuditListing(out, json, log.file().toString());
        l.begin();
        log.forEachLine(l);
        l.end();
    }

    /** Lists the lines of {@code in} (for tests of arbitrary bytes). */
    public static void list(InputStream in, PrintWriter out, boolean json, String source) throws IOException {
        AuditListing l = new AuditListing(out, json, source);
        l.begin();
        LineReader.read(in, l);
        l.end();
    }

    private void begin() {
        if (json) {
            out.print("[");
        }
    }

    private void end() {
        if (json) {
            out.print(count == 0 ? "]\n" : "\n]\n");
        }
        out.flush();
    }

    @Override
    public void line(byte[] buf, int len, long number, long start, long end, boolean overlong, boolean terminated) {
        String text = new String(buf, 0, len, StandardCharsets.UTF_8);
        Map<String, Object> entry = null;
        String why;
        if (overlong) {
            why = "longer than " + AuditLog.MAX_LINE + " bytes";
        } else {
            try {
                entry = Json.parseObject(text, source + " line " + number);
                why = null;
                Json.compact(entry); // a number like 1e999 parses (as infinity) but cannot be written back
            } catch (TimeShiftException e) {
                why = e.getMessage();
            } catch (IllegalArgumentException e) {
                entry = null;
                why = "a value JSON cannot carry (" + e.getMessage() + ")";
            }
        }
        if (json) {
            out.print(count == 0 ? "\n  " : ",\n  ");
            if (entry != null) {
                out.print(Json.compact(entry));
            } else {
                Map<String, Object> bad = new LinkedHashMap<>();
                bad.put("line", number);
                bad.put("invalid", "not an audit entry: " + why);
                bad.put("text", plain(shown(text))); // control characters shown escaped, never raw
                out.print(Json.compact(bad));
            }
        } else if (entry != null) {
            out.print(plain(entry.get("at")) + "  " + pad(entry.get("vmid") == null ? "-" : plain(entry.get("vmid")), 6)
                    + " " + pad(plain(entry.get("actor")), 10) + " " + pad(plain(entry.get("action")), 18) + " "
                    + plain(Json.compact(entry.get("details"))) + "\n");
        } else {
            out.print("line " + number + ": not an audit entry (" + plain(why) + "): " + plain(shown(text)) + "\n");
        }
        count++;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String shown(String text) {
        if (text.length() <= SHOWN) {
            return text;
        }
        int cut = Character.isHighSurrogate(text.charAt(SHOWN - 1)) ? SHOWN - 1 : SHOWN;
        return text.substring(0, cut) + "…";
    }

    /** A value for the text listing: control characters (C0, DEL, C1, line/paragraph separators) escaped. */
    static String plain(Object value) {
        String s = String.valueOf(value);
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
            if (control && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (control) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }
}

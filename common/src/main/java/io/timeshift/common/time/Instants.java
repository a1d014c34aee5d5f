package io.timeshift.common.time;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Instants as the project writes and reads them, without java.time's formatter machinery (a fresh
 * JVM pays ~10 ms for DateTimeFormatter's first use, and the hook is a fresh JVM per VM phase):
 * ISO-8601 UTC text, Proxmox's {@code startdate} form, epoch nanoseconds (the guest agent's unit).
 */
public final class Instants {
    private Instants() {
    }

    /** {@code YYYY-MM-DDTHH:MM:SS} in UTC without zone: the only form Proxmox's {@code startdate} accepts. */
    public static String pveStartdate(Instant t) {
        String s = iso(Instant.ofEpochSecond(t.getEpochSecond()));
        return s.substring(0, s.length() - 1);
    }

    /**
     * {@code YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z} without java.time's formatter machinery (a fresh JVM pays
     * ~10 ms for DateTimeFormatter's first use, and the hook is a fresh JVM per VM phase); null when
     * the text has another shape.
     */
    public static Instant parseIsoUtc(String t) {
        int n = t.length();
        if (n < 20 || (t.charAt(n - 1) != 'Z' && t.charAt(n - 1) != 'z') || t.charAt(4) != '-' || t.charAt(7) != '-'
                || (t.charAt(10) != 'T' && t.charAt(10) != 't') || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int min = digits(t, 14, 2);
        int sec = digits(t, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || min < 0 || min > 59
                || sec < 0 || sec > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int fracLen = n - 21;
            if (t.charAt(19) != '.' || fracLen < 1 || fracLen > 9) {
                return null;
            }
            int f = digits(t, 20, fracLen);
            if (f < 0) {
                return null;
            }
            nanos = f;
            for (int i = fracLen; i < 9; i++) {
                nanos *= 10;
            }
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay(); // (not YearMonth: its static init builds a formatter)
        } catch (java.time.DateTimeException e) {
            return null;
        }
        return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3600L + min * 60L + sec, nanos);
    }

    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Parses what {@link #iso(Instant)} (or {@link Instant#toString()}) wrote. */
    public static Instant parseInstant(String t) {
        Instant i = parseIsoUtc(t);
        return i != null ? i : Instant.parse(t);
    }

    /**
     * The same text as {@link Instant#toString()} for years 0000-9999 (UTC, fraction in groups of three
     * digits, none when zero), without DateTimeFormatter.
     */
    public static String iso(Instant t) {
        long secs = t.getEpochSecond();
        long day = Math.floorDiv(secs, 86_400L);
        int sod = (int) Math.floorMod(secs, 86_400L);
        LocalDate d = LocalDate.ofEpochDay(day);
        if (d.getYear() < 0 || d.getYear() > 9999) {
            return t.toString();
        }
        StringBuilder sb = new StringBuilder(30);
        pad(sb, d.getYear(), 4).append('-');
        pad(sb, d.getMonthValue(), 2).append('-');
        pad(sb, d.getDayOfMonth(), 2).append('T');
        pad(sb, sod / 3600, 2).append(':');
        pad(sb, sod / 60 % 60, 2).append(':');
        pad(sb, sod % 60, 2);
        int nano = t.getNano();
        if (nano > 0) {
            sb.append('.');
            if (nano % 1_000_000 == 0) {
                pad(sb, nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                pad(sb, nano / 1000, 6);
            } else {
                pad(sb, nano, 9);
            }
        }
        return sb.append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    public static long toEpochNanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    public static Instant fromEpochNanos(long ns) {
        return Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
    }
}

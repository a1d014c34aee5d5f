package io.timeshift.host.time;

import io.timeshift.common.time.Instants;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;

/**
 * How a Proxmox guest reads its RTC, and the {@code startdate} that makes it boot at a chosen instant.
 * Facts and their upstream lines: docs/pve-rtc.md. In short: with a {@code startdate} other than
 * {@code now}, Proxmox passes {@code -rtc base=<startdate>} and QEMU shows that wall-clock text in the
 * RTC (qemu-server Cfg2Cmd/Timer.pm:30-34); a guest whose RTC runs in local time (Windows, or
 * {@code localtime: 1}) reads it in its own zone, so its {@code startdate} is the instant plus the
 * guest's UTC offset at that instant.
 *
 * <p>On the hook path (post-stop): loops and plain string tests only, no lambdas, no regex.
 */
public final class GuestRtc {
    /** What the guest agent last reported ({@code guest-get-timezone}), kept in the VM's state. */
    public record Learned(int offsetSeconds, String zone, Instant at) {
    }

    /** The offset chosen for a target instant, and where it came from (one phrase for messages). */
    public record Choice(ZoneOffset offset, String source) {
    }

    private GuestRtc() {
    }

    /**
     * qemu-server Helpers.pm:337-353 {@code windows_version}: wxp/w2k/w2k3 → 5, w2k8/wvista → 6,
     * win&lt;N&gt; → N, anything else 0.
     */
    public static int windowsVersion(String ostype) {
        if (ostype == null) {
            return 0;
        }
        String o = ostype.trim();
        if (o.equals("wxp") || o.equals("w2k3") || o.equals("w2k")) {
            return 5;
        }
        if (o.equals("w2k8") || o.equals("wvista")) {
            return 6;
        }
        if (o.length() > 3 && o.startsWith("win")) {
            long n = 0;
            for (int i = 3; i < o.length(); i++) {
                char c = o.charAt(i);
                if (c < '0' || c > '9' || n > 100_000_000L) {
                    return 0;
                }
                n = n * 10 + (c - '0');
            }
            return (int) n;
        }
        return 0;
    }

    /**
     * Whether the guest reads its RTC as local time, as Proxmox decides it (Timer.pm:11-15): an explicit
     * {@code localtime} wins; unset (or not a boolean Proxmox would read) means "Windows ostype".
     */
    public static boolean localTime(String localtime, String ostype) {
        Boolean explicit = bool(localtime);
        if (explicit != null) {
            return explicit;
        }
        return windowsVersion(ostype) >= 5;
    }

    /** {@link #localTime(String, String)} of a config: the pending value when there is one (next cold start). */
    public static boolean localTime(Map<String, String> main, Map<String, String> pending) {
        return localTime(effective(main, pending, "localtime"), effective(main, pending, "ostype"));
    }

    /** Timer.pm:9-19,28: {@code driftfix=slew} when {@code tdf} is true, or unset on Windows with ACPI on (default). */
    public static boolean driftFix(String tdf, String acpi, String ostype) {
        Boolean explicit = bool(tdf);
        if (explicit != null) {
            return explicit;
        }
        Boolean a = bool(acpi);
        return windowsVersion(ostype) >= 5 && (a == null || a);
    }

    /** A key's value for the next start: pending value, pending delete (null), else main. */
    public static String effective(Map<String, String> main, Map<String, String> pending, String key) {
        if (pending != null) {
            String v = pending.get(key);
            if (v != null) {
                return v;
            }
            String del = pending.get("delete");
            if (del != null) {
                for (String k : del.split(",")) {
                    String t = k.trim();
                    if (t.startsWith("!")) {
                        t = t.substring(1); // "!key": force delete
                    }
                    if (t.equals(key)) {
                        return null;
                    }
                }
            }
        }
        return main == null ? null : main.get(key);
    }

    /** {@code startdate} text: {@code at} in UTC, or its wall time at {@code offset} for a local-time RTC. */
    public static String startdate(Instant at, ZoneOffset offset) {
        return Instants.pveStartdate(offset == null ? at : at.plusSeconds(offset.getTotalSeconds()));
    }

    /**
     * Whether {@code text} has the shape of a zone id or offset (1-64 of {@code A-Za-z0-9/_+-:.}), without
     * resolving it: {@link #parseZone} loads the tz database, too slow for every hook phase.
     */
    public static boolean looksLikeZone(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_'
                    || c == '+' || c == '-' || c == ':' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** An IANA zone id ({@code Asia/Karachi}) or a fixed offset ({@code +05:00}, {@code UTC}); null if neither. */
    public static ZoneId parseZone(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return null;
            }
        }
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The host's zone: {@code TZ} of the environment when it names one, else the JVM default. */
    public static ZoneId hostZone(Map<String, String> env) {
        String tz = env == null ? null : env.get("TZ");
        if (tz != null) {
            String t = tz.startsWith(":") ? tz.substring(1) : tz;
            ZoneId z = parseZone(t);
            if (z != null) {
                return z;
            }
        }
        return ZoneId.systemDefault();
    }

    /**
     * The guest's UTC offset at {@code target} (docs/pve-rtc.md, "What time-shift writes"): the policy
     * zone's rules when it is a region id that agrees with what the agent last reported (DST-correct);
     * else the reported offset; else the policy zone as a fixed offset; else the host zone at {@code target}.
     *
     * @param policyZone the policy's {@code guestZone} (may be null or invalid: then it is not used)
     * @param learned    the agent's last report, or null
     */
    public static Choice choose(Instant target, String policyZone, Learned learned, ZoneId hostZone) {
        ZoneId zone = parseZone(policyZone);
        if (zone != null && !(zone instanceof ZoneOffset)) {
            if (learned == null) {
                return new Choice(offsetAt(zone, target), "zone " + zone.getId());
            }
            ZoneOffset then = offsetAt(zone, learned.at());
            if (then.getTotalSeconds() == learned.offsetSeconds()) {
                return new Choice(offsetAt(zone, target), "zone " + zone.getId());
            }
        }
        if (learned != null) {
            ZoneOffset o = ZoneOffset.ofTotalSeconds(learned.offsetSeconds());
            return new Choice(o, "the guest agent's offset " + o.getId()
                    + (learned.zone() == null ? "" : " (" + learned.zone() + ")"));
        }
        if (zone != null) {
            return new Choice(offsetAt(zone, target), "zone " + zone.getId());
        }
        ZoneId host = hostZone == null ? ZoneOffset.UTC : hostZone;
        return new Choice(offsetAt(host, target), "the host's zone " + host.getId());
    }

    /** The {@code startdate} for {@code target}: UTC text for a UTC RTC, else the chosen local wall time. */
    public static String startdateFor(Instant target, boolean localRtc, String policyZone, Learned learned, ZoneId hostZone) {
        if (!localRtc) {
            return Instants.pveStartdate(target);
        }
        return startdate(target, choose(target, policyZone, learned, hostZone).offset());
    }

    private static ZoneOffset offsetAt(ZoneId zone, Instant at) {
        return zone.getRules().getOffset(at);
    }

    /** Text for a one-line message: control characters as {@code \xNN}, at most 80 characters. */
    public static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length() && i < 80; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            } else {
                sb.append(c);
            }
        }
        return text.length() > 80 ? sb.append("...").toString() : sb.toString();
    }

    /** PVE::JSONSchema boolean spellings; null for anything else (Proxmox warns and drops such values). */
    static Boolean bool(String s) {
        if (s == null) {
            return null;
        }
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("1") || v.equals("on") || v.equals("yes") || v.equals("true")) {
            return Boolean.TRUE;
        }
        if (v.equals("0") || v.equals("off") || v.equals("no") || v.equals("false")) {
            return Boolean.FALSE;
        }
        return null;
    }
}

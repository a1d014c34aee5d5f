package io.timeshift.host.policy;

import io.timeshift.host.io.Json;
import io.timeshift.host.time.GuestRtc;
import io.timeshift.common.time.Durations;
import io.timeshift.common.time.Whens;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.text.Sanitizer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strict reader of policy files. Every rejection is one line naming the file and the field and showing
 * the valid form, and maps to exit 2. Unknown fields are errors: a typo such as {@code "ofset"} must not
 * silently fall back to a default.
 */
public final class PolicyParser {
    private static final Set<String> FIELDS = Set.of("version", "vmid", "mode", "date", "offset", "tolerance",
            "timeSync", "onError", "targets", "chain", "original", "guestZone");
    private static final Set<String> ORIGINAL_FIELDS = Set.of("startdate", "hookscript", "agent", "firewall");

    private PolicyParser() {
    }

    public static Policy parse(String text, int expectedVmid, String source) {
        if (text.isBlank()) {
            throw new InvalidInputException(source + ": file is empty (truncated?); re-create it with time-shift enable");
        }
        Map<String, Object> m = Json.parseObject(text, source);
        for (String k : m.keySet()) {
            if (!FIELDS.contains(k)) {
                throw bad(source, k, "unknown field (valid: version, vmid, mode, date, offset, tolerance, timeSync, onError, targets, chain,"
                        + " original, guestZone)");
            }
        }
        Object version = m.get("version");
        if (!((version instanceof Integer || version instanceof Long) && ((Number) version).longValue() == 1)) {
            throw bad(source, "version", "must be 1");
        }
        Object vmidV = m.get("vmid");
        if (!(vmidV instanceof Integer || vmidV instanceof Long)) {
            throw bad(source, "vmid", "missing or not a number (expected " + expectedVmid + ")");
        }
        if (((Number) vmidV).longValue() != expectedVmid) {
            throw bad(source, "vmid", vmidV + " does not match the file name (expected " + expectedVmid + ")");
        }
        String modeS = string(m, "mode", source);
        if (modeS == null) {
            throw bad(source, "mode", "missing (use fixed, offset or continue)");
        }
        Mode mode = Mode.parse(modeS);
        if (mode == null) {
            throw bad(source, "mode", "'" + Sanitizer.value(modeS) + "' is not a mode (use fixed, offset or continue)");
        }
        String dateS = string(m, "date", source);
        String offsetS = string(m, "offset", source);
        Instant date = null;
        Duration offset = null;
        if (mode == Mode.OFFSET) {
            if (offsetS == null) {
                throw bad(source, "offset", "missing: mode offset needs an offset (" + Durations.VALID_FORMS + ")");
            }
            if (dateS != null) {
                throw bad(source, "date", "must be null in mode offset (use mode fixed or continue for a date)");
            }
            offset = Durations.parse(offsetS, source + ": field 'offset'");
        } else {
            if (dateS == null) {
                throw bad(source, "date", "missing: mode " + mode.id() + " needs a date (" + Whens.VALID_FORMS + ")");
            }
            if (offsetS != null) {
                throw bad(source, "offset", "must be null in mode " + mode.id() + " (use mode offset for an offset)");
            }
            date = Whens.parse(dateS, source + ": field 'date'");
        }
        Duration tolerance = Policy.DEFAULT_TOLERANCE;
        String tolS = string(m, "tolerance", source);
        if (tolS != null) {
            tolerance = Durations.parse(tolS, source + ": field 'tolerance'");
            if (tolerance.isNegative() || tolerance.isZero()) {
                throw bad(source, "tolerance", "must be positive, e.g. PT2S");
            }
        }
        boolean keep = oneOf(m, "timeSync", "disable", "keep", source);
        boolean abort = oneOf(m, "onError", "warn", "abort", source);
        List<String> targets = new ArrayList<>();
        Object t = m.get("targets");
        if (t != null) {
            if (!(t instanceof List<?> l)) {
                throw bad(source, "targets", "must be an array of strings like [\"https://idrac.example:443\"]");
            }
            for (Object o : l) {
                if (!(o instanceof String s) || s.isBlank()) {
                    throw bad(source, "targets", "must be an array of non-empty strings");
                }
                targets.add(s);
            }
        }
        String chain = string(m, "chain", source);
        Policy.Original original = Policy.Original.NONE;
        Object o = m.get("original");
        if (o != null) {
            if (!(o instanceof Map<?, ?> om)) {
                throw bad(source, "original", "must be an object with startdate, hookscript, agent");
            }
            for (Object k : om.keySet()) {
                if (!ORIGINAL_FIELDS.contains(k)) {
                    throw bad(source, "original." + k, "unknown field (valid: startdate, hookscript, agent, firewall)");
                }
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> om2 = (Map<String, Object>) om;
            Object fw = om2.get("firewall");
            if (fw != null && !(fw instanceof Map<?, ?>)) {
                throw bad(source, "original.firewall", "must be an object (what time-shift isolate changed) or null");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> firewall = (Map<String, Object>) fw;
            original = new Policy.Original(originalString(om2, "startdate", source),
                    originalString(om2, "hookscript", source), originalString(om2, "agent", source), firewall);
        }
        String guestZone = string(m, "guestZone", source);
        // shape only: resolving a zone id loads the tz database (~30 ms in a fresh JVM), and this runs in every
        // hook phase; where the zone is used, an unknown id falls back (GuestRtc.choose)
        if (guestZone != null && !GuestRtc.looksLikeZone(guestZone)) {
            throw bad(source, "guestZone", "'" + guestZone + "' is not a time zone (use an IANA id like Asia/Karachi or an offset"
                    + " like +05:00)");
        }
        return new Policy(expectedVmid, mode, date, offset, tolerance, keep, abort, targets, chain, original, guestZone);
    }

    private static boolean oneOf(Map<String, Object> m, String field, String first, String second, String source) {
        String v = string(m, field, source);
        if (v == null || v.equals(first)) {
            return false;
        }
        if (v.equals(second)) {
            return true;
        }
        throw bad(source, field, "'" + Sanitizer.value(v) + "' is not valid (use " + first + " or " + second + ")");
    }

    private static String string(Map<String, Object> m, String field, String source) {
        Object v = m.get(field);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        throw bad(source, field, "must be a string or null, not " + Sanitizer.value(String.valueOf(v)));
    }

    private static String originalString(Map<String, Object> original, String field, String source) {
        Object v = original.get(field);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw bad(source, "original." + field, "must be a string or null, not " + Sanitizer.value(String.valueOf(v)));
    }

    private static InvalidInputException bad(String source, String field, String what) {
        return new InvalidInputException(source + ": field '" + Sanitizer.value(field) + "': " + what);
    }

    /**
     * Reads only {@code onError} from a file that failed validation, so a broken policy can still honour
     * "abort" in pre-start. Never throws.
     */
    public static boolean saysAbort(String text) {
        try {
            Map<String, Object> m = Json.parseObject(text, "policy");
            return "abort".equals(m.get("onError"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Reads only {@code chain} from a file that failed validation, so the hookscript we replaced still
     * runs as Proxmox would have run it. Null when the file has none or is not a JSON object. Never throws.
     */
    public static String chainOf(String text) {
        try {
            Object chain = Json.parseObject(text, "policy").get("chain");
            return chain instanceof String c && !c.isEmpty() ? c : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}

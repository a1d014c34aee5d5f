package io.timeshift.host.state;

import io.timeshift.host.time.GuestRtc;
import io.timeshift.common.time.Instants;
import io.timeshift.common.time.TimeBounds;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Node-local state of one VM, {@code /var/lib/time-shift/<vmid>.json}: the last phase seen, the current
 * run (one number per start: the guest's offset from host time), the last apply and the last stop.
 * A thin typed view over the JSON map so that fields added by a newer version survive a rewrite.
 */
public final class VmState {
    public static final String RESULT_RUNNING = "running";
    public static final String RESULT_OK = "ok";
    public static final String RESULT_FAILED = "failed";
    public static final String RESULT_SKIPPED = "skipped";

    private final Map<String, Object> doc;

    public VmState(Map<String, Object> doc) {
        this.doc = doc;
    }

    public static VmState empty(int vmid) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vmid", vmid);
        return new VmState(m);
    }

    public Map<String, Object> toJson() {
        return doc;
    }

    public void phase(String phase, Instant at) {
        doc.put("lastPhase", phase);
        doc.put("lastPhaseAt", Instants.iso(at));
    }

    public String lastPhase() {
        return str(doc, "lastPhase");
    }

    // ---- run: what pre-start decided for this start ----

    /** The offset decision for the current start. */
    public record Run(String id, Instant startedAt, long offsetNs, String reason, boolean backup, String policy) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("policy", policy);
            m.put("startedAt", Instants.iso(startedAt));
            m.put("offsetNs", offsetNs);
            m.put("offsetHuman", human(offsetNs));
            m.put("reason", reason);
            m.put("backup", backup);
            return m;
        }

        public Map<String, Object> json() {
            return toJson();
        }

        /** A run as {@link #json()} wrote it, or null when it is missing or malformed (hand-edited). */
        public static Run fromJson(Map<String, Object> m) {
            if (m == null || !(m.get("offsetNs") instanceof Long offset) || !TimeBounds.inRangeDurationNanos(offset)) {
                return null;
            }
            Instant started = m.get("startedAt") instanceof String t ? Instants.parseIsoUtc(t) : null;
            if (!TimeBounds.inRange(started)) {
                return null; // malformed or out of range (hand-edited, a hostile mirror): as if no run was recorded
            }
            return new Run(str(m, "id"), started, offset, str(m, "reason"), Boolean.TRUE.equals(m.get("backup")),
                    str(m, "policy"));
        }
    }

    public void run(Run r) {
        doc.put("run", r.toJson());
    }

    /** The current run, or null when there is none or it is malformed (a hand-edited file must not break a start). */
    public Run run() {
        return Run.fromJson(map(doc, "run"));
    }

    // ---- lastApply ----

    public Map<String, Object> lastApply() {
        return map(doc, "lastApply");
    }

    public Map<String, Object> startApply(Instant at, Long pid) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("startedAt", Instants.iso(at));
        m.put("finishedAt", null);
        m.put("result", RESULT_RUNNING);
        m.put("message", pid == null ? "apply worker starting" : "apply worker running");
        m.put("workerPid", pid);
        doc.put("lastApply", m);
        return m;
    }

    public void finishApply(Map<String, Object> apply) {
        doc.put("lastApply", apply);
    }

    // ---- lastStop ----

    /** Guest time when the VM last stopped, measured (pre-stop, "agent") or estimated from the run's offset. */
    public record Stop(Instant hostTime, Instant guestTime, String source, String runId, String policy) {
        public Stop(Instant hostTime, Instant guestTime, String source, String runId) {
            this(hostTime, guestTime, source, runId, null);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hostTime", Instants.iso(hostTime));
            m.put("guestTime", Instants.iso(guestTime));
            m.put("source", source);
            m.put("runId", runId);
            if (policy != null) {
                m.put("policy", policy);
            }
            return m;
        }

        public static Stop fromJson(Map<String, Object> m) {
            if (m == null || m.get("guestTime") == null || m.get("hostTime") == null) {
                return null;
            }
            Instant host = m.get("hostTime") instanceof String h ? Instants.parseIsoUtc(h) : null;
            Instant guest = m.get("guestTime") instanceof String g ? Instants.parseIsoUtc(g) : null;
            if (!TimeBounds.inRange(host) || !TimeBounds.inRange(guest)) {
                return null; // malformed or out of range (hand-edited, a far-future mirror): as if no stop was recorded
            }
            return new Stop(host, guest, str(m, "source"), str(m, "runId"), str(m, "policy"));
        }

        public Map<String, Object> json() {
            return toJson();
        }
    }

    public void lastStop(Stop s) {
        doc.put("lastStop", s.toJson());
    }

    public Stop lastStop() {
        return Stop.fromJson(map(doc, "lastStop"));
    }

    public String postStopDoneFor() {
        return str(doc, "postStopDoneFor");
    }

    public void postStopDoneFor(String runId) {
        doc.put("postStopDoneFor", runId);
    }

    // ---- guestZone: the guest's zone as its agent last reported it (docs/pve-rtc.md) ----

    /** Records {@code guest-get-timezone}'s answer (offset in seconds east of UTC) and when it was had. */
    public void guestZone(GuestRtc.Learned l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("offsetSeconds", l.offsetSeconds());
        m.put("zone", l.zone());
        m.put("learnedAt", Instants.iso(l.at()));
        doc.put("guestZone", m);
    }

    /** The last report, or null when there is none or it is malformed (then it is as if nothing was learned). */
    public GuestRtc.Learned guestZone() {
        Map<String, Object> m = map(doc, "guestZone");
        if (m == null || !(m.get("offsetSeconds") instanceof Number n) || !(m.get("learnedAt") instanceof String at)) {
            return null;
        }
        long s = n.longValue();
        if (!(n instanceof Integer || n instanceof Long) || s < -18 * 3600 || s > 18 * 3600) {
            return null;
        }
        try {
            return new GuestRtc.Learned((int) s, m.get("zone") instanceof String z ? z : null, Instants.parseInstant(at));
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    // ---- time sync units we turned off (disable turns them back on) ----

    public List<String> timeSyncDisabled() {
        Object v = doc.get("timeSyncDisabled");
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object o : l) {
                out.add(String.valueOf(o));
            }
        }
        return out;
    }

    public void timeSyncDisabled(List<String> units) {
        doc.put("timeSyncDisabled", new ArrayList<>(units));
    }

    // ---- validation: what a damaged or hand-edited file is ----

    /**
     * Null when every field this version reads has its type and range, else one line naming the first
     * bad field. Unknown fields are kept and not checked (a newer version may have written them).
     * Instants must lie in {@link TimeBounds} (1970..2069), offsets within ±100 years: a value outside
     * is damage, never an overflow later.
     */
    public static String problem(Map<String, Object> doc) {
        String p;
        if ((p = type(doc, "", "vmid", Number.class)) != null || (p = type(doc, "", "lastPhase", String.class)) != null
                || (p = instant(doc, "", "lastPhaseAt")) != null || (p = type(doc, "", "postStopDoneFor", String.class)) != null) {
            return p;
        }
        Object sync = doc.get("timeSyncDisabled");
        if (sync != null) {
            if (!(sync instanceof List<?> l)) {
                return "field 'timeSyncDisabled': not a list";
            }
            for (Object o : l) {
                if (!(o instanceof String)) {
                    return "field 'timeSyncDisabled': not a list of unit names";
                }
            }
        }
        for (String k : new String[] {"run", "lastApply", "lastStop"}) {
            Object v = doc.get(k);
            if (v != null && !(v instanceof Map<?, ?>)) {
                return "field '" + k + "': not an object";
            }
        }
        Map<String, Object> run = map(doc, "run");
        if (run != null) {
            if (!(run.get("offsetNs") instanceof Long off) || !TimeBounds.inRangeDurationNanos(off)) {
                return "field 'run.offsetNs': not an integer within " + TimeBounds.DURATION_RANGE;
            }
            if ((p = instant(run, "run.", "startedAt")) != null || (p = type(run, "run.", "id", String.class)) != null
                    || (p = type(run, "run.", "reason", String.class)) != null || (p = type(run, "run.", "policy", String.class)) != null
                    || (p = type(run, "run.", "backup", Boolean.class)) != null) {
                return p;
            }
        }
        Map<String, Object> apply = map(doc, "lastApply");
        if (apply != null) {
            if ((p = instant(apply, "lastApply.", "startedAt")) != null || (p = instant(apply, "lastApply.", "finishedAt")) != null
                    || (p = instant(apply, "lastApply.", "guestTimeAfter")) != null
                    || (p = type(apply, "lastApply.", "result", String.class)) != null
                    || (p = type(apply, "lastApply.", "message", String.class)) != null
                    || (p = type(apply, "lastApply.", "errorMs", Number.class)) != null
                    || (p = type(apply, "lastApply.", "workerPid", Long.class)) != null) {
                return p;
            }
        }
        Map<String, Object> stop = map(doc, "lastStop");
        if (stop != null) {
            if ((p = instant(stop, "lastStop.", "hostTime")) != null || (p = instant(stop, "lastStop.", "guestTime")) != null
                    || (p = type(stop, "lastStop.", "source", String.class)) != null
                    || (p = type(stop, "lastStop.", "runId", String.class)) != null
                    || (p = type(stop, "lastStop.", "policy", String.class)) != null) {
                return p;
            }
        }
        return null;
    }

    private static String type(Map<String, Object> m, String prefix, String k, Class<?> type) {
        Object v = m.get(k);
        return v == null || type.isInstance(v) ? null
                : "field '" + prefix + k + "': not a " + (type == Number.class || type == Long.class ? "number" : type.getSimpleName().toLowerCase(java.util.Locale.ROOT));
    }

    private static String instant(Map<String, Object> m, String prefix, String k) {
        Object v = m.get(k);
        if (v == null) {
            return null;
        }
        Instant t = v instanceof String s ? Instants.parseIsoUtc(s) : null;
        return TimeBounds.inRange(t) ? null
                : "field '" + prefix + k + "': not an instant within " + TimeBounds.INSTANT_RANGE + " (like 2021-03-01T12:00:00Z)";
    }

    // ---- helpers ----

    static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v == null ? null : v.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v instanceof Map<?, ?> ? (Map<String, Object>) v : null;
    }

    /** "-1730d 4h 12m 3.125s" style rendering of an offset for humans reading the file. */
    public static String human(long ns) {
        String sign = ns < 0 ? "-" : "+";
        long a = Math.abs(ns);
        long ms = a / 1_000_000;
        long d = ms / 86_400_000;
        long h = ms / 3_600_000 % 24;
        long m = ms / 60_000 % 60;
        long msPart = ms % 1000;
        return sign + d + "d " + h + "h " + m + "m " + (ms % 60_000 / 1000) + "." + (msPart < 10 ? "00" : msPart < 100 ? "0" : "")
                + msPart + "s";
    }
}

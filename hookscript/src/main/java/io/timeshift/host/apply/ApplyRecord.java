package io.timeshift.host.apply;

import io.timeshift.host.state.VmState;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one apply did, as the worker records it while it goes: state {@code lastApply} (read back by status,
 * the Notes line and the demo), the JSON of {@code time-shift apply --json}, and the details of its audit line.
 * {@link #toJson} and {@link #toAuditDetails} are the one place it takes that form: the keys, their order and
 * the value types are those readers' contract. A null part was not reached (or did not apply) and its keys are
 * left out, except the first seven ({@code startedAt} … {@code workerPid}), which are always there.
 *
 * @param startedAt when the worker began (host time)
 * @param workerPid the worker's process
 * @param outcome   running, ok or failed, with when and why
 * @param reading   the guest clock after the last set; null before the first verify
 * @param timing    how long the agent and the set took
 * @param guest     what was learned and done in the guest besides the clock
 * @param hold      what the hold period saw
 */
public record ApplyRecord(Instant startedAt, long workerPid, Outcome outcome, Reading reading, Timing timing, Guest guest,
                          Hold hold) {
    /** The audit line carries these keys of {@link #toJson}, when set. */
    private static final String[] AUDIT_KEYS = {"result", "message", "guestTimeAfter", "errorMs", "agentWaitMs", "applyMs",
        "timeSync", "reapplied"};

    public ApplyRecord {
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(guest, "guest");
        Objects.requireNonNull(hold, "hold");
    }

    /** The state's words for a result ({@code lastApply.result}). */
    public enum Result {
        RUNNING(VmState.RESULT_RUNNING), OK(VmState.RESULT_OK), FAILED(VmState.RESULT_FAILED);

        public final String id;

        Result(String id) {
            this.id = id;
        }
    }

    /** The result; {@code finishedAt} and {@code message} are null while it runs. */
    public record Outcome(Instant finishedAt, Result result, String message) {
        public Outcome {
            Objects.requireNonNull(result, "result");
        }

        public Outcome withMessage(String m) {
            return new Outcome(finishedAt, result, m);
        }
    }

    /** The guest clock read back after the last set, and its error against the target (ms, rounded to µs). */
    public record Reading(Instant guestTimeAfter, double errorMs) {
        public Reading {
            Objects.requireNonNull(guestTimeAfter, "guestTimeAfter");
        }
    }

    /**
     * @param agentWaitMs until the agent answered; null before it did
     * @param sets        {@code guest-set-time} calls of this worker so far; null before the clock was verified
     * @param applyMs     from the agent's answer to the verified clock (rounded to µs); null before that
     */
    public record Timing(Long agentWaitMs, Integer sets, Double applyMs) {
        public static final Timing NONE = new Timing(null, null, null);
    }

    /**
     * Each null until reached. {@code policy} is the guest's policy file or why it was not written.
     */
    public record Guest(String os, String zone, String timeSync, String policy) {
        public static final Guest NONE = new Guest(null, null, null, null);

        public Guest withOs(String s) {
            return new Guest(s, zone, timeSync, policy);
        }

        public Guest withZone(String s) {
            return new Guest(os, s, timeSync, policy);
        }

        public Guest withTimeSync(String s) {
            return new Guest(os, zone, s, policy);
        }

        public Guest withPolicy(String s) {
            return new Guest(os, zone, timeSync, s);
        }
    }

    /**
     * @param reapplied re-applies during the hold; null when none
     * @param stopped   why the hold ended early; null when it did not
     * @param endedAt   when the hold ended; null while it runs or without a hold
     */
    public record Hold(Integer reapplied, String stopped, Instant endedAt) {
        public static final Hold NONE = new Hold(null, null, null);

        public Hold withReapplied(int n) {
            return new Hold(n, stopped, endedAt);
        }

        public Hold withStopped(String why) {
            return new Hold(reapplied, why, endedAt);
        }

        public Hold withEndedAt(Instant t) {
            return new Hold(reapplied, stopped, t);
        }
    }

    /** A worker that has just begun: running, nothing reached yet. */
    public static ApplyRecord started(Instant at, long pid) {
        return new ApplyRecord(at, pid, new Outcome(null, Result.RUNNING, null), null, Timing.NONE, Guest.NONE, Hold.NONE);
    }

    public ApplyRecord withOutcome(Outcome o) {
        return new ApplyRecord(startedAt, workerPid, o, reading, timing, guest, hold);
    }

    public ApplyRecord withReading(Reading r) {
        return new ApplyRecord(startedAt, workerPid, outcome, r, timing, guest, hold);
    }

    public ApplyRecord withTiming(Timing t) {
        return new ApplyRecord(startedAt, workerPid, outcome, reading, t, guest, hold);
    }

    public ApplyRecord withGuest(Guest g) {
        return new ApplyRecord(startedAt, workerPid, outcome, reading, timing, g, hold);
    }

    public ApplyRecord withHold(Hold h) {
        return new ApplyRecord(startedAt, workerPid, outcome, reading, timing, guest, h);
    }

    public Result result() {
        return outcome.result();
    }

    public String message() {
        return outcome.message();
    }

    public boolean ok() {
        return outcome.result() == Result.OK;
    }

    /** Re-applies during the hold (0: none). */
    public int reapplied() {
        return hold.reapplied() == null ? 0 : hold.reapplied();
    }

    /** State {@code lastApply} and the JSON of {@code time-shift apply --json}: instants as ISO-8601 text. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("startedAt", startedAt.toString());
        m.put("finishedAt", text(outcome.finishedAt()));
        m.put("result", outcome.result().id);
        m.put("message", outcome.message());
        m.put("guestTimeAfter", reading == null ? null : reading.guestTimeAfter().toString());
        m.put("errorMs", reading == null ? null : Double.valueOf(reading.errorMs()));
        m.put("workerPid", Long.valueOf(workerPid));
        putSet(m, "agentWaitMs", timing.agentWaitMs());
        putSet(m, "sets", timing.sets());
        putSet(m, "applyMs", timing.applyMs());
        putSet(m, "guestOs", guest.os());
        putSet(m, "guestZone", guest.zone());
        putSet(m, "timeSync", guest.timeSync());
        putSet(m, "guestPolicy", guest.policy());
        putSet(m, "reapplied", hold.reapplied());
        putSet(m, "hold", hold.stopped());
        putSet(m, "holdEndedAt", text(hold.endedAt()));
        return m;
    }

    /** The {@code details} of the {@code apply} audit line: the outcome, the reading, the timing, time sync, re-applies. */
    public Map<String, Object> toAuditDetails() {
        Map<String, Object> all = toJson();
        Map<String, Object> d = new LinkedHashMap<>();
        for (String k : AUDIT_KEYS) {
            if (all.get(k) != null) {
                d.put(k, all.get(k));
            }
        }
        return d;
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    private static void putSet(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}

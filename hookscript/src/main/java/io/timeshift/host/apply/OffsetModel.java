package io.timeshift.host.apply;

import io.timeshift.host.policy.Policy;
import io.timeshift.host.state.VmState;
import io.timeshift.common.time.Instants;

import java.time.Duration;
import java.time.Instant;

/**
 * Every mode reduces to one number per start: the guest's offset from host time. The apply worker then
 * sets {@code host now + offset}. The guest clock runs at host rate, so the last known offset also gives
 * the guest time at a stop that no pre-stop observed (guest powered itself off).
 */
public final class OffsetModel {
    private OffsetModel() {
    }

    /** Why a start got its offset: recorded in state and the audit log. */
    public enum Reason {
        FIXED("fixed"), OFFSET("offset"), CONTINUE_FIRST("continue-first"), CONTINUE("continue"),
        RESUME("resume"), MIGRATED("migrated"), MANUAL("manual");

        public final String id;

        Reason(String id) {
            this.id = id;
        }
    }

    public record Decision(long offsetNs, Reason reason) {
        public Instant guestTimeAt(Instant host) {
            return Instants.fromEpochNanos(Instants.toEpochNanos(host) + offsetNs);
        }
    }

    /**
     * The offset for a start at {@code now}.
     *
     * @param lastStop    newest known guest time at a stop (node state or pmxcfs mirror), or null
     * @param lastOffset  offset of the previous run (state or mirror), or null
     * @param resume      the start resumes a hibernated VM (the conf has {@code vmstate})
     */
    public static Decision decide(Policy p, Instant now, VmState.Stop lastStop, Long lastOffset, boolean resume) {
        if (resume) {
            // the guest continues its saved run: same offset as when it was suspended (continue: its clock
            // must not jump over the time it spent hibernated)
            if (p.mode() == io.timeshift.host.policy.Mode.CONTINUE && lastStop != null) {
                return new Decision(between(now, lastStop.guestTime()), Reason.RESUME);
            }
            if (lastOffset != null && p.mode() != io.timeshift.host.policy.Mode.OFFSET) {
                return new Decision(lastOffset, Reason.RESUME);
            }
        }
        return switch (p.mode()) {
            case FIXED -> new Decision(between(now, p.date()), Reason.FIXED);
            case OFFSET -> new Decision(p.offset().toNanos(), Reason.OFFSET);
            case CONTINUE -> lastStop == null
                    ? new Decision(between(now, p.date()), Reason.CONTINUE_FIRST)
                    : new Decision(between(now, lastStop.guestTime()), Reason.CONTINUE);
        };
    }

    /**
     * The {@code startdate} for the next cold start: the guest boots already near its time (the apply
     * worker sets the exact time once the agent answers).
     *
     * @param lastStop the guest time at the stop that just happened, or null
     */
    public static Instant nextStart(Policy p, VmState.Stop lastStop, Instant now) {
        return switch (p.mode()) {
            case FIXED -> p.date();
            case OFFSET -> now.plus(p.offset());
            case CONTINUE -> lastStop != null ? lastStop.guestTime() : p.date();
        };
    }

    /** target − host, in ns. */
    public static long between(Instant host, Instant target) {
        return Duration.between(host, target).toNanos();
    }
}

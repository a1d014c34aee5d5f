package io.timeshift.common.time;

import java.time.Duration;
import java.time.Instant;

/**
 * The range of instants and durations time-shift handles, decided once: every number read from outside
 * (a policy, the state, a clock mirror, a guest's clock, argv) outside it is invalid input naming the
 * field, never an overflow.
 * <ul>
 *   <li>instants: 1970-01-01T00:00:00Z .. 2069-12-31T23:59:59.999999999Z, the years the QEMU guest agent
 *       can set (qemu-ga refuses 2070 and later, and a time before the epoch);</li>
 *   <li>durations (offsets, tolerances): within ±100 years of 365 days (±36500 days), so that any
 *       instant in range plus any duration in range fits in a {@code long} of nanoseconds.</li>
 * </ul>
 */
public final class TimeBounds {
    public static final Instant MIN_INSTANT = Instant.EPOCH;
    /** 2070-01-01T00:00:00Z minus 1 ns. */
    public static final Instant MAX_INSTANT = Instant.ofEpochSecond(3_155_760_000L - 1, 999_999_999);
    public static final long MIN_EPOCH_NANOS = 0L;
    public static final long MAX_EPOCH_NANOS = 3_155_760_000L * 1_000_000_000L - 1;
    public static final Duration MAX_DURATION = Duration.ofDays(36_500);
    public static final long MAX_DURATION_NANOS = MAX_DURATION.toNanos();
    public static final String INSTANT_RANGE = "1970-01-01T00:00:00Z..2069-12-31T23:59:59Z";
    public static final String DURATION_RANGE = "-100y..100y (-P36500D..P36500D)";

    private TimeBounds() {
    }

    public static boolean inRange(Instant t) {
        return t != null && !t.isBefore(MIN_INSTANT) && !t.isAfter(MAX_INSTANT);
    }

    public static boolean inRangeEpochNanos(long ns) {
        return ns >= MIN_EPOCH_NANOS && ns <= MAX_EPOCH_NANOS;
    }

    public static boolean inRange(Duration d) {
        return d != null && d.abs().compareTo(MAX_DURATION) <= 0;
    }

    public static boolean inRangeDurationNanos(long ns) {
        return ns >= -MAX_DURATION_NANOS && ns <= MAX_DURATION_NANOS;
    }
}

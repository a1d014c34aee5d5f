package io.timeshift.guest.hold;

import io.timeshift.guest.GuestContext;
import io.timeshift.common.policy.GuestPolicy;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.guest.sys.Rtc;
import io.timeshift.common.time.Durations;
import io.timeshift.common.time.Sleeper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code time-shift-guest hold --watch}, what {@code time-shift-guest-hold-watch.service} runs while
 * {@code policy.json} exists: the boot-time {@link HoldService hold} kept up for the life of the VM.
 *
 * <p>Why: a paused VM (QMP {@code stop}/{@code cont}, a backup's freeze, a host suspend) comes back
 * with its system clock frozen for the pause, so behind the policy's time, while QEMU's RTC
 * ({@code -rtc base=...}, clock=host) kept running in shifted time. Every {@link #interval} the watch
 * compares the system clock with the RTC (sysfs, no process) and, when they differ by more than the
 * policy's tolerance plus the RTC's resolution, puts the system clock back from the RTC exactly as
 * the boot hold does ({@link HoldService#restoreClock}: {@code hwclock --hctosys}, read back, one line).
 *
 * <p>What it does not fight:
 * <ul>
 * <li>{@code time-shift disable}: the host removes {@code policy.json} before it sets real time, and
 *     the watch ends as soon as the file is gone (it looks again right before acting);</li>
 * <li>a deliberate {@code time-shift apply}: qemu-ga's {@code guest-set-time} sets the system clock
 *     and then writes the RTC ({@code hwclock -w}); the watch acts only on a difference that stayed
 *     the same (within the allowance) for {@link #confirm}, which such a write never does;</li>
 * <li>{@code timeSync: keep}: the policy leaves the clock to time sync; nothing is done;</li>
 * <li>an RTC that still shows real time while the clock is shifted (the host could not write it):
 *     restoring from it would undo the shift; one warning, nothing done.</li>
 * </ul>
 * A condition that persists (RTC unreadable, timeSync=keep, a bad policy) is said once, not at
 * every poll; after a failed correction the next attempt waits {@link #FAILURE_BACKOFF}. Without the
 * sysfs RTC (a process per reading, {@code hwclock --get}) it reads at most every {@link #HWCLOCK_INTERVAL}.
 */
public final class HoldWatch {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_CONFIRM = Duration.ofSeconds(3);
    public static final Duration FAILURE_BACKOFF = Duration.ofSeconds(30);
    /** The poll interval at least, when the RTC can only be read with {@code hwclock --get}. */
    public static final Duration HWCLOCK_INTERVAL = Duration.ofSeconds(10);

    private final GuestContext ctx;
    private final Sleeper sleeper;
    private final Duration interval;
    private final Duration confirm;
    private final Consumer<String> out;
    private final Consumer<String> err;
    private String lastNote;

    public HoldWatch(GuestContext ctx, Sleeper sleeper, Duration interval, Duration confirm, Consumer<String> out,
            Consumer<String> err) {
        this.ctx = Objects.requireNonNull(ctx, "ctx");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.confirm = Objects.requireNonNull(confirm, "confirm");
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
    }

    /** Watches until {@code policy.json} is gone (0) or the thread is interrupted (0: systemd stops us with SIGTERM). */
    public int run() {
        Path file = ctx.policyFile();
        if (fileKey(file) == null) {
            out.accept("no policy at " + file + ": nothing to watch");
            return 0;
        }
        out.accept("watching the system clock against the RTC every " + Durations.human(interval) + " while " + file + " exists");
        HoldService hold = new HoldService(ctx);
        Rtc rtc = new Rtc(ctx.root(), ctx.runner());
        String policyKey = null;
        GuestPolicy policy = null;
        Duration divergedBy = null;
        long divergedSince = 0;
        long notBefore = ctx.monotonic().nanoTime();
        while (true) {
            String key = fileKey(file);
            if (key == null) {
                out.accept(file + " is gone (time-shift disable): watch ends");
                return 0;
            }
            if (!key.equals(policyKey)) {
                policyKey = key;
                divergedBy = null;
                policy = load(file);
            }
            long now = ctx.monotonic().nanoTime();
            Duration pause = interval;
            if (policy != null && policy.keepTimeSync()) {
                note(out, "policy timeSync=keep: the clock is left to time sync");
            } else if (policy != null && now - notBefore >= 0) {
                Duration drift = null;
                Duration allowed = null;
                try {
                    Rtc.Reading r = rtc.read();
                    drift = Duration.between(r.time(), ctx.clock().instant());
                    allowed = policy.tolerance().plus(r.resolution());
                    if (!r.source().startsWith("/sys/") && pause.compareTo(HWCLOCK_INTERVAL) < 0) {
                        pause = HWCLOCK_INTERVAL; // no sysfs RTC: hwclock --get is a process and waits for a tick
                    }
                } catch (EnvironmentException e) {
                    note(err, "error: " + e.getMessage());
                }
                if (drift == null) {
                    divergedBy = null;
                } else if (drift.abs().compareTo(allowed) <= 0) {
                    divergedBy = null;
                    lastNote = null;
                } else if (policy.rtcLooksUnshifted(drift)) {
                    divergedBy = null;
                    note(out, "warning: the RTC shows real time and the system clock the shifted time (" + Durations.human(drift.abs())
                            + " apart): the host could not write the RTC; leaving the clock alone");
                } else if (divergedBy == null || drift.minus(divergedBy).abs().compareTo(allowed) > 0) {
                    divergedBy = drift; // new, or still moving (a host write in progress): watch it settle
                    divergedSince = now;
                } else if (now - divergedSince >= confirm.toNanos()) {
                    divergedBy = null;
                    if (fileKey(file) == null) {
                        continue; // disable removed the policy just now: do not touch the clock
                    }
                    List<String> lines = new ArrayList<>();
                    List<String> failures = new ArrayList<>();
                    hold.restoreClock(policy, lines, failures);
                    lines.forEach(out);
                    for (String f : failures) {
                        err.accept("error: " + f + " (next attempt in " + Durations.human(FAILURE_BACKOFF) + ")");
                    }
                    lastNote = null;
                    if (!failures.isEmpty()) {
                        notBefore = ctx.monotonic().nanoTime() + FAILURE_BACKOFF.toNanos();
                    }
                }
            }
            try {
                sleeper.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.accept("stopped: watch ends");
                return 0;
            }
        }
    }

    private GuestPolicy load(Path file) {
        try {
            Optional<GuestPolicy> p = GuestPolicy.load(file);
            if (p.isEmpty()) {
                return null; // gone between the two looks: the loop ends at the next one
            }
            p.get().warnings().forEach(w -> out.accept("warning: " + w));
            lastNote = null;
            return p.get();
        } catch (TimeShiftException e) {
            // e.g. read while the host was writing it: looked at again when it changes
            note(err, "error: " + e.getMessage() + "; the clock is not watched until the file changes");
            return null;
        }
    }

    /** Says {@code line} unless it was the last thing said (a condition that persists is said once). */
    private void note(Consumer<String> to, String line) {
        if (!line.equals(lastNote)) {
            to.accept(line);
            lastNote = line;
        }
    }

    /** Modification time and size, or null when the file does not exist (any other problem: it exists). */
    private static String fileKey(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.lastModifiedTime().toString() + "/" + a.size();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return "unreadable";
        }
    }
}

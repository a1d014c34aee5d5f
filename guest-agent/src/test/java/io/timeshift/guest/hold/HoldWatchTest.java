package io.timeshift.guest.hold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timeshift.guest.testsupport.Cli;
import io.timeshift.guest.testsupport.GuestFiles;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.guest.testsupport.ScriptedRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hold --watch} against a simulated VM: a monotonic clock the sleeper advances, QEMU's RTC
 * running in shifted time (sysfs, whole seconds), and a guest system clock that a pause leaves
 * behind, that a host write moves, that {@code hwclock --hctosys} puts back on the RTC.
 */
class HoldWatchTest {
    static final Instant SHIFTED = Instant.parse("2021-03-01T12:00:00Z");
    static final String POLICY = "{\"mode\":\"fixed\",\"date\":\"2021-03-01T12:00:00Z\",\"tolerance\":\"PT2S\","
            + "\"timeSync\":\"disable\",\"expectedOffsetMs\":-157766400000}";

    @TempDir
    Path root;
    @TempDir
    Path guestDir;
    World vm;

    @BeforeEach
    void aShiftedVmWithAPolicy() {
        vm = new World();
        vm.policy(POLICY);
    }

    /** The simulated VM; every sleep of the watch lets time pass and runs the events due. */
    final class World {
        final MutableClock clock = new MutableClock(SHIFTED);
        final ScriptedRunner runner = new ScriptedRunner();
        final TreeMap<Long, List<Runnable>> events = new TreeMap<>();
        final List<String> out = new ArrayList<>();
        final List<String> err = new ArrayList<>();
        final List<Long> hwclockAtMs = new ArrayList<>();
        long monoNs;
        Instant rtcAtZero = SHIFTED;
        /** guest system clock minus the RTC's exact time */
        Duration guestMinusRtc = Duration.ofMillis(300);
        int sleeps;

        World() {
            runner.on("hwclock --hctosys --utc", () -> {
                hwclockAtMs.add(monoNs / 1_000_000);
                guestMinusRtc = Duration.ZERO;
                sync();
            });
            sync();
        }

        Instant rtcExact() {
            return rtcAtZero.plusNanos(monoNs);
        }

        void sync() {
            new GuestFiles(root).rtc(rtcExact());
            clock.set(rtcExact().plus(guestMinusRtc));
        }

        void at(long ms, Runnable r) {
            events.computeIfAbsent(ms * 1_000_000, k -> new ArrayList<>()).add(r);
        }

        void policy(String json) {
            new GuestFiles(guestDir).write("policy.json", json);
        }

        void removePolicy() {
            try {
                Files.deleteIfExists(guestDir.resolve("policy.json"));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        int watch() {
            HoldWatch w = new HoldWatch(Cli.context(clock, () -> monoNs, runner, root, guestDir), d -> {
                if (++sleeps > 10_000) {
                    throw new AssertionError("the watch did not end: " + out + err);
                }
                long until = monoNs + d.toNanos();
                while (!events.isEmpty() && events.firstKey() <= until) {
                    var e = events.pollFirstEntry();
                    monoNs = e.getKey();
                    sync();
                    e.getValue().forEach(Runnable::run);
                }
                monoNs = until;
                sync();
            }, Duration.ofSeconds(1), Duration.ofSeconds(3), out::add, err::add);
            return w.run();
        }
    }

    @Nested
    class AfterAPause {
        @Test
        void theClockFrozenForFiveSecondsIsPutBackOnTheRtcOnceItHasStayedBehindForThreeSeconds() {
            // QMP stop at 10 s, cont at 15 s: the guest clock did not run, the RTC did
            vm.at(10_500, () -> vm.guestMinusRtc = vm.guestMinusRtc.minusSeconds(5));
            vm.at(60_000, vm::removePolicy);

            assertEquals(0, vm.watch());

            // first seen at the poll of 11 s, unchanged at 14 s: corrected then, once
            assertEquals(List.of(14_000L), vm.hwclockAtMs);
            assertEquals(List.of("hwclock --hctosys --utc"), vm.runner.calls());
            assertEquals(List.of(
                    "watching the system clock against the RTC every 1s while " + guestDir.resolve("policy.json") + " exists",
                    "system clock was 4.7s behind the RTC: set to 2021-03-01T12:00:14Z from the RTC (hwclock --hctosys --utc)",
                    guestDir.resolve("policy.json") + " is gone (time-shift disable): watch ends"), vm.out);
            assertEquals(List.of(), vm.err);
        }

        @Test
        void aDifferenceWithinTheToleranceAndTheRtcsSecondIsLeftAlone() {
            // tolerance 2 s + the RTC's 1 s: 2.9 s behind is still "on time" for the policy
            vm.at(5_000, () -> vm.guestMinusRtc = Duration.ofMillis(-2_900));
            vm.at(30_000, vm::removePolicy);

            assertEquals(0, vm.watch());

            assertEquals(List.of(), vm.runner.calls());
            assertEquals(2, vm.out.size(), vm.out::toString);
        }

        @Test
        void aClockStepToRealTimeIsPutBackToo() {
            vm.at(5_000, () -> vm.guestMinusRtc = Duration.ofDays(1800));
            vm.at(30_000, vm::removePolicy);

            assertEquals(0, vm.watch());

            assertEquals(List.of(8_000L), vm.hwclockAtMs);
            assertTrue(vm.out.get(1).startsWith("system clock was 1800d ahead of the RTC (systemd epoch bump or NTP): set to "),
                    vm.out::toString);
        }
    }

    @Nested
    class WhatItDoesNotFight {
        @Test
        void disableRemovesThePolicyBeforeSettingRealTimeAndTheWatchEndsWithoutTouchingTheClock() {
            // the host's disable: rm policy.json, re-enable time sync (seconds), then guest-set-time
            // (system clock, then hwclock -w a second later)
            vm.at(5_000, vm::removePolicy);
            vm.at(7_000, () -> vm.guestMinusRtc = Duration.ofDays(1800));
            vm.at(8_000, () -> {
                vm.rtcAtZero = vm.rtcAtZero.plus(Duration.ofDays(1800));
                vm.guestMinusRtc = Duration.ZERO;
            });

            assertEquals(0, vm.watch());

            assertEquals(List.of(), vm.runner.calls());
            assertEquals(5, vm.sleeps);
        }

        @Test
        void aDeliberateApplyThatSetsTheClockAndThenTheRtcIsNotUndone() {
            // time-shift apply with a new date: guest-set-time sets the system clock, and its
            // hwclock -w writes the RTC 2.5 s later (slow under TCG); the policy file is rewritten after
            vm.at(5_000, () -> vm.guestMinusRtc = Duration.ofDays(-30));
            vm.at(7_500, () -> {
                vm.rtcAtZero = vm.rtcAtZero.minus(Duration.ofDays(30));
                vm.guestMinusRtc = Duration.ofMillis(200);
            });
            vm.at(9_000, () -> vm.policy(POLICY.replace("2021-03-01", "2021-01-30")));
            vm.at(40_000, vm::removePolicy);

            assertEquals(0, vm.watch());

            assertEquals(List.of(), vm.runner.calls());
        }

        @Test
        void aHostWriteThatLeavesTheClockMovingIsWatchedUntilItSettles() {
            // seen 4 s behind, then 30 s ahead before the confirmation: not the same difference, start over
            vm.at(5_000, () -> vm.guestMinusRtc = Duration.ofSeconds(-4));
            vm.at(7_000, () -> vm.guestMinusRtc = Duration.ofSeconds(30));
            vm.at(30_000, vm::removePolicy);

            assertEquals(0, vm.watch());

            assertEquals(List.of(10_000L), vm.hwclockAtMs);
        }

        @Test
        void timeSyncKeepLeavesTheClockToTimeSyncAndSaysSoOnce() {
            vm.policy("{\"mode\":\"offset\",\"timeSync\":\"keep\"}");
            vm.at(5_000, () -> vm.guestMinusRtc = Duration.ofSeconds(-5));
            vm.at(30_000, vm::removePolicy);

            assertEquals(0, vm.watch());

            assertEquals(List.of(), vm.runner.calls());
            assertEquals("policy timeSync=keep: the clock is left to time sync", vm.out.get(1));
            assertEquals(3, vm.out.size(), vm.out::toString);
        }

        @Test
        void anRtcStillInRealTimeIsNotRestoredFrom() {
            // apply shifted the system clock, but the guest's hwclock -w failed: restoring would undo the shift
            vm.guestMinusRtc = Duration.ofMillis(-157_766_400_000L);
            vm.at(30_000, vm::removePolicy);

            assertEquals(0, vm.watch());

            assertEquals(List.of(), vm.runner.calls());
            assertEquals("warning: the RTC shows real time and the system clock the shifted time (1826d apart): the host could"
                    + " not write the RTC; leaving the clock alone", vm.out.get(1));
            assertEquals(3, vm.out.size(), vm.out::toString);
        }
    }

    @Nested
    class WhenSomethingFails {
        @Test
        void aFailingHwclockIsOneErrorLineAndTheNextAttemptWaitsThirtySeconds() {
            vm.runner.on("hwclock --hctosys --utc", 1, "hwclock: Cannot access the Hardware Clock via any known method.");
            vm.at(5_000, () -> vm.guestMinusRtc = Duration.ofSeconds(-10));
            vm.at(50_000, vm::removePolicy);

            assertEquals(0, vm.watch());

            // at 8 s, then not before 38 s (+ 3 s to confirm again)
            assertEquals(List.of("hwclock --hctosys --utc", "hwclock --hctosys --utc"), vm.runner.calls());
            assertEquals(2, vm.err.size(), vm.err::toString);
            assertEquals("error: system clock is 10s behind the RTC, and hwclock --hctosys --utc failed: hwclock: Cannot access"
                    + " the Hardware Clock via any known method. (next attempt in 30s)", vm.err.get(0));
        }

        @Test
        void anUnreadableRtcIsSaidOnceNotAtEveryPoll() throws IOException {
            Files.delete(root.resolve("sys/class/rtc/rtc0/since_epoch"));
            vm.runner.on("hwclock --hctosys --utc", 0, ""); // not reached
            World w = vm;
            w.at(20_000, w::removePolicy);
            HoldWatch watch = new HoldWatch(Cli.context(w.clock, () -> w.monoNs, w.runner, root, guestDir),
                    d -> {
                        w.monoNs += d.toNanos();
                        if (w.monoNs >= 20_000_000_000L) {
                            w.removePolicy();
                        }
                    }, Duration.ofSeconds(1), Duration.ofSeconds(3), w.out::add, w.err::add);

            assertEquals(0, watch.run());

            assertEquals(1, w.err.size(), w.err::toString);
            assertTrue(w.err.get(0).startsWith("error: cannot read the RTC: /sys/class/rtc/rtc0/since_epoch unreadable, and "
                    + "hwclock --get: "), w.err::toString);
        }

        @Test
        void withoutTheSysfsRtcHwclockIsAskedEveryTenSecondsNotEverySecond() throws IOException {
            Files.delete(root.resolve("sys/class/rtc/rtc0/since_epoch"));
            vm.runner.on("hwclock --get --utc", 0, "2021-03-01 12:00:00.000000+00:00");
            World w = vm;
            HoldWatch watch = new HoldWatch(Cli.context(w.clock, () -> w.monoNs, w.runner, root, guestDir),
                    d -> {
                        w.monoNs += d.toNanos();
                        if (w.monoNs >= 60_000_000_000L) {
                            w.removePolicy();
                        }
                    }, Duration.ofSeconds(1), Duration.ofSeconds(3), w.out::add, w.err::add);

            assertEquals(0, watch.run());

            // at 0, 10, ..., 50 s
            assertEquals(6, w.runner.calls().size(), w.runner.calls()::toString);
            assertEquals(List.of(), w.err);
        }

        @Test
        void aPolicyReadHalfWrittenIsSaidOnceAndPickedUpWhenItChanges() {
            vm.policy("{\"mode\":\"fix");
            vm.at(4_000, () -> vm.policy(POLICY));
            vm.at(5_000, () -> vm.guestMinusRtc = Duration.ofSeconds(-5));
            vm.at(30_000, vm::removePolicy);

            assertEquals(0, vm.watch());

            assertEquals(1, vm.err.size(), vm.err::toString);
            assertTrue(vm.err.get(0).endsWith("; the clock is not watched until the file changes"), vm.err::toString);
            assertEquals(List.of(8_000L), vm.hwclockAtMs);
        }
    }

    @Nested
    class TheCommandLine {
        @Test
        void withoutAPolicyThereIsNothingToWatch() {
            vm.removePolicy();

            Cli.Run run = Cli.run(Cli.context(vm.clock, () -> 0L, vm.runner, root, guestDir), "hold", "--watch");

            assertEquals(0, run.exitCode(), run.err());
            assertEquals("no policy at " + guestDir.resolve("policy.json") + ": nothing to watch\n", run.out());
        }

        @Test
        void anIntervalOutOfRangeIsRefusedInOneLine() {
            Cli.Run run = Cli.run(Cli.context(vm.clock, () -> 0L, vm.runner, root, guestDir), "hold", "--watch", "--interval", "10ms");

            assertEquals(2, run.exitCode());
            assertEquals("error: --interval 10ms is out of range; use 100ms to 1h\n", run.err());
            assertEquals(List.of(), vm.runner.calls());
        }

        @Test
        void anIntervalWithoutWatchIsRefused() {
            Cli.Run run = Cli.run(Cli.context(vm.clock, () -> 0L, vm.runner, root, guestDir), "hold", "--interval", "5s");

            assertEquals(2, run.exitCode());
            assertEquals("error: --interval goes with --watch; use: time-shift-guest hold --watch --interval 5s\n", run.err());
        }
    }
}

package io.timeshift.guest.hold;

import io.timeshift.common.timesync.TimeSyncUnits;

import static io.timeshift.guest.testsupport.ScriptedRunner.block;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timeshift.guest.testsupport.Cli;
import io.timeshift.guest.testsupport.GuestFiles;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.guest.testsupport.ScriptedRunner;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hold} as the boot unit runs it: systemd has advanced the clock to its build date, the RTC
 * still shows the shifted time the host set.
 */
class HoldCommandTest {
    static final Instant RTC = Instant.parse("2021-03-01T12:00:00Z");
    static final Instant BUMPED = Instant.parse("2024-05-01T00:00:00Z");
    static final String SHOW = ScriptedRunner.showCommand(TimeSyncUnits.LINUX);

    @TempDir
    Path root;
    @TempDir
    Path guestDir;
    MutableClock clock;
    ScriptedRunner runner;

    @BeforeEach
    void bootedGuestWithBumpedClock() {
        new GuestFiles(root).rtc(RTC);
        clock = new MutableClock(BUMPED);
        runner = new ScriptedRunner()
                .on("hwclock --hctosys --utc", () -> clock.set(RTC))
                .on(SHOW, 0, timeSyncUnits("active", "enabled"))
                .on("systemctl disable --no-reload systemd-timesyncd.service", 0, "")
                .on("systemctl stop --no-block systemd-timesyncd.service", 0, "");
    }

    static String timeSyncUnits(String timesyncdActive, String timesyncdFile) {
        StringBuilder out = new StringBuilder(block("systemd-timesyncd.service", "loaded", timesyncdActive, timesyncdFile));
        for (String u : TimeSyncUnits.LINUX.subList(1, TimeSyncUnits.LINUX.size())) {
            out.append('\n').append(block(u, "not-found", "inactive", ""));
        }
        return out.toString();
    }

    Cli.Run hold() {
        // a monotonic clock that stands still: no time passes between reading the RTC and setting the clock
        return Cli.run(Cli.context(clock, () -> 0L, runner, root, guestDir), "hold");
    }

    void policy(String json) {
        new GuestFiles(guestDir).write("policy.json", json);
    }

    @Nested
    class WithPolicy {
        @Test
        void restoresTheClockFromTheRtcAndTurnsTimeSyncOff() {
            policy("{\"mode\":\"fixed\",\"date\":\"2021-03-01T00:00:00Z\",\"tolerance\":\"PT2S\",\"timeSync\":\"disable\",\"expectedOffsetMs\":-157766400000}");

            Cli.Run run = hold();

            assertEquals(0, run.exitCode(), run.out() + run.err());
            assertEquals(List.of("hwclock --hctosys --utc", SHOW, "systemctl disable --no-reload systemd-timesyncd.service",
                    "systemctl stop --no-block systemd-timesyncd.service"), runner.calls());
            assertEquals(RTC, clock.instant());
            assertEquals("system clock was 1156d ahead of the RTC (systemd epoch bump or NTP): set to 2021-03-01T12:00:00Z from "
                    + "the RTC (hwclock --hctosys --utc)\nsystemd-timesyncd.service: disabled and stopped\n", run.out());
        }

        @Test
        void leavesAClockWithinToleranceAlone() {
            clock.set(RTC.plusMillis(1500));
            policy("{\"mode\":\"fixed\"}");
            runner.on(SHOW, 0, timeSyncUnits("inactive", "disabled"));

            Cli.Run run = hold();

            assertEquals(0, run.exitCode());
            assertEquals(List.of(SHOW), runner.calls());
            assertEquals("system clock 2021-03-01T12:00:01.500Z matches the RTC (2021-03-01T12:00:00Z) within 2s\n"
                    + "time sync already off\n", run.out());
        }

        @Test
        void keepsTimeSyncWhenThePolicySaysKeep() {
            policy("{\"mode\":\"offset\",\"timeSync\":\"keep\"}");

            Cli.Run run = hold();

            assertEquals(0, run.exitCode());
            assertEquals(List.of("hwclock --hctosys --utc"), runner.calls());
            assertTrue(run.out().endsWith("policy timeSync=keep: time sync units left alone\n"), run.out());
        }

        @Test
        void leavesTheClockAloneWhenTheRtcStillShowsRealTime() {
            // apply set the shifted system time, but the guest's hwclock -w failed: the RTC shows real time
            Instant real = Instant.parse("2026-03-01T12:00:00Z");
            new GuestFiles(root).rtc(real);
            clock.set(RTC);
            policy("{\"mode\":\"offset\",\"expectedOffsetMs\":" + (RTC.toEpochMilli() - real.toEpochMilli()) + ",\"timeSync\":\"keep\"}");

            Cli.Run run = hold();

            assertEquals(0, run.exitCode(), run.out() + run.err());
            assertEquals(List.of(), runner.calls());
            assertEquals(RTC, clock.instant());
            assertTrue(run.out().startsWith("warning: the RTC shows real time (2026-03-01T12:00:00Z) and the system clock the "
                    + "shifted time (2021-03-01T12:00:00Z): the host could not write the RTC; leaving the clock alone"), run.out());
        }

        @Test
        void failingHwclockIsAnEnvironmentError() {
            policy("{\"mode\":\"fixed\",\"timeSync\":\"keep\"}");
            runner.on("hwclock --hctosys --utc", 1, "hwclock: Cannot access the Hardware Clock via any known method.");

            Cli.Run run = hold();

            assertEquals(3, run.exitCode());
            assertEquals("error: system clock is 1156d ahead of the RTC, and hwclock --hctosys --utc failed: hwclock: Cannot "
                    + "access the Hardware Clock via any known method.\n", run.err());
        }

        @Test
        void clockThatDidNotMoveIsReportedEvenIfHwclockSaysOk() {
            policy("{\"mode\":\"fixed\",\"timeSync\":\"keep\"}");
            runner.on("hwclock --hctosys --utc", 0, "");

            Cli.Run run = hold();

            assertEquals(3, run.exitCode());
            assertTrue(run.err().startsWith("error: hwclock --hctosys --utc ran, but the clock still shows 2024-05-01T00:00:00Z"), run.err());
        }
    }

    @Test
    void withoutPolicyThereIsNothingToHold() {
        Cli.Run run = hold();

        assertEquals(0, run.exitCode());
        assertEquals(List.of(), runner.calls());
        assertEquals("no policy at " + guestDir.resolve("policy.json") + ": nothing to hold\n", run.out());
    }
}

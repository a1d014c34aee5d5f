package io.timeshift.guest.clock;

import io.timeshift.common.timesync.TimeSyncUnits;

import io.timeshift.common.time.Durations;

import static io.timeshift.guest.testsupport.ScriptedRunner.block;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.guest.sys.SystemdUnits;
import io.timeshift.guest.testsupport.Cli;
import io.timeshift.guest.testsupport.GuestFiles;
import io.timeshift.guest.testsupport.ScriptedRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code verify} with a fixed clock, a scripted systemctl and a fake guest filesystem. */
class VerifyCommandTest {
    static final Instant NOW = Instant.parse("2021-03-01T12:00:00Z");
    static final List<String> ASKED = asked();

    @TempDir
    Path root;
    @TempDir
    Path guestDir;
    GuestFiles files;
    GuestFiles guest;
    ScriptedRunner runner;

    private static List<String> asked() {
        List<String> u = new ArrayList<>(TimeSyncUnits.LINUX);
        u.add(SystemdUnits.HOLD_UNIT);
        return u;
    }

    @BeforeEach
    void guestWithTimeSyncOffAndHoldEnabled() {
        files = new GuestFiles(root);
        guest = new GuestFiles(guestDir);
        // systemd built before the shifted date: no epoch bump
        files.withMtime("usr/lib/systemd/systemd", Instant.parse("2020-06-01T00:00:00Z"));
        runner = new ScriptedRunner();
        systemd("inactive", "disabled", "enabled");
    }

    /** timesyncd in the given state, chrony installed (with its chronyd alias), the rest not installed. */
    void systemd(String timesyncdActive, String timesyncdFile, String holdFile) {
        StringBuilder out = new StringBuilder();
        out.append(block("systemd-timesyncd.service", "loaded", timesyncdActive, timesyncdFile)).append('\n');
        out.append(block("chrony.service", "loaded", "inactive", "disabled")).append('\n');
        out.append(block("chrony.service", "loaded", "inactive", "disabled")).append('\n');
        for (String u : List.of("ntp.service", "ntpsec.service", "openntpd.service", "ntpd.service")) {
            out.append(block(u, "not-found", "inactive", "")).append('\n');
        }
        out.append(block(SystemdUnits.HOLD_UNIT, "loaded", "inactive", holdFile));
        runner = new ScriptedRunner().on(ScriptedRunner.showCommand(ASKED), 0, out.toString());
    }

    Cli.Run verify(String... args) {
        List<String> argv = new ArrayList<>(List.of("verify"));
        argv.addAll(List.of(args));
        return Cli.run(Cli.context(Clock.fixed(NOW, ZoneOffset.UTC), runner, root, guestDir), argv.toArray(String[]::new));
    }

    @Nested
    class AgainstExpect {
        @Test
        void clockWithinToleranceIsOk() {
            Cli.Run run = verify("--expect", "2021-03-01T11:59:58.500Z", "--json");

            assertEquals(0, run.exitCode(), run.out() + run.err());
            JsonNode r = run.json();
            assertTrue(r.get("ok").asBoolean());
            assertEquals("2021-03-01T12:00:00Z", r.get("now").asText());
            assertEquals("2021-03-01T11:59:58.500Z", r.get("expected").asText());
            assertEquals("--expect", r.get("expectedSource").asText());
            assertEquals(1500, r.get("driftMs").asLong());
            assertEquals("PT2S", r.get("tolerance").asText());
            assertTrue(r.get("inTolerance").asBoolean());
            assertEquals("disable", r.get("timeSync").get("policy").asText());
            assertEquals(2, r.get("timeSync").get("units").size(), "chronyd folded into chrony");
            assertEquals("systemd-timesyncd.service", r.get("timeSync").get("units").get(0).get("unit").asText());
            assertFalse(r.get("timeSync").get("couldPullBack").asBoolean());
            assertFalse(r.get("systemdEpoch").get("bumpAtNextBoot").asBoolean());
            assertEquals(0, r.get("findings").size());
        }

        @Test
        void clockOutsideToleranceIsAFindingWithItsFix() {
            Cli.Run run = verify("--expect", "2021-03-01T11:59:50Z", "--tolerance", "PT5S");

            assertEquals(1, run.exitCode());
            assertTrue(run.out().contains("  problem:     system clock 2021-03-01T12:00:00Z is 10s ahead of the expected "
                    + "2021-03-01T11:59:50Z (--expect), tolerance 5s -> fix: run `time-shift apply <vmid>` on the host"), run.out());
            assertTrue(run.out().contains("  result:      1 problem"), run.out());
        }
    }

    @Nested
    class AgainstTheRtcAndPolicy {
        @Test
        void usesTheRtcAndThePolicyToleranceIgnoringUnknownFields() {
            files.rtc(NOW.minusSeconds(1));
            guest.write("policy.json", "{\"version\":1,\"mode\":\"fixed\",\"date\":\"2021-03-01T00:00:00Z\",\"offset\":null,"
                    + "\"tolerance\":\"PT1S\",\"expectedOffsetMs\":-157766400000,\"appliedAt\":\"2021-03-01T00:00:00.5Z\","
                    + "\"futureField\":{\"x\":1}}");

            Cli.Run run = verify("--json");

            assertEquals(0, run.exitCode(), run.out());
            JsonNode r = run.json();
            assertEquals("rtc", r.get("expectedSource").asText());
            assertEquals("2021-03-01T11:59:59Z", r.get("expected").asText());
            assertEquals(1000, r.get("driftMs").asLong());
            assertEquals("PT1S", r.get("tolerance").asText());
        }

        @Test
        void driftIsTheSystemClockNextToTheRtcReadingNotAtCommandStart() {
            // a cold JVM on a slow guest: 4 s pass between the command's start and the RTC reading
            Instant rtcRead = NOW.plusSeconds(4);
            files.rtc(rtcRead);
            guest.write("policy.json", "{\"version\":1,\"mode\":\"fixed\",\"date\":\"2021-03-01T00:00:00Z\",\"offset\":null,"
                    + "\"tolerance\":\"PT1S\"}");
            Clock slow = new Clock() {
                private int calls;

                @Override
                public ZoneOffset getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return calls++ == 0 ? NOW : rtcRead.plusMillis(300);
                }
            };

            Cli.Run run = Cli.run(Cli.context(slow, runner, root, guestDir), new String[] {"verify", "--json"});

            assertEquals(0, run.exitCode(), run.out());
            assertEquals(300, run.json().get("driftMs").asLong());
        }

        @Test
        void rtcStillShowingRealTimeIsAFinding() {
            // the shift is -5 years; the system clock has it, the RTC does not (hwclock -w failed)
            files.rtc(Instant.parse("2026-03-01T12:00:00Z"));
            guest.write("policy.json", "{\"mode\":\"offset\",\"offset\":\"-PT43824H\",\"expectedOffsetMs\":-157766400000}");

            Cli.Run run = verify("--json");

            assertEquals(1, run.exitCode());
            JsonNode f = run.json().get("findings").get(0);
            assertEquals("the RTC shows real time (2026-03-01T12:00:00Z), not the shifted time: a reboot from inside the guest "
                    + "will lose the shift", f.get("problem").asText());
            assertEquals("install hwclock in the guest (util-linux) and run `time-shift apply <vmid>` on the host", f.get("fix").asText());
        }

        @Test
        void clockPushedAheadOfTheRtcPointsToHold() {
            files.rtc(Instant.parse("2021-03-01T11:00:00Z"));
            guest.write("policy.json", "{\"mode\":\"offset\"}");

            Cli.Run run = verify();

            assertEquals(1, run.exitCode());
            assertTrue(run.out().contains("is 60m ahead of the expected 2021-03-01T11:00:00Z (RTC), tolerance 2s -> fix: run "
                    + "`time-shift-guest hold` to restore it from the RTC"), run.out());
        }

        @Test
        void withoutExpectOrPolicyThereIsNothingToCompare() {
            Cli.Run run = verify();

            assertEquals(3, run.exitCode());
            assertEquals("error: nothing to compare the clock with: pass --expect <when>, or let the host write "
                    + guestDir.resolve("policy.json") + " (`time-shift apply <vmid>`)\n", run.err());
        }

        @Test
        void badPolicyValueIsAFindingNotACrash() {
            files.rtc(NOW);
            guest.write("policy.json", "{\"tolerance\":\"soon\"}");

            Cli.Run run = verify("--json");

            assertEquals(1, run.exitCode());
            assertTrue(run.json().get("findings").get(0).get("problem").asText().endsWith(
                    "policy.json: field tolerance: 'soon' is not a duration (use " + io.timeshift.common.time.Durations.VALID_FORMS + ")"),
                    run.out());
        }

        @Test
        void policyThatIsNotJsonIsInvalidInput() {
            guest.write("policy.json", "mode=fixed");

            Cli.Run run = verify();

            assertEquals(2, run.exitCode());
            assertTrue(run.err().startsWith("error: " + guestDir.resolve("policy.json") + ": not readable JSON"), run.err());
        }
    }

    @Nested
    class TimeSync {
        @Test
        void runningTimesyncdIsAFinding() {
            systemd("active", "enabled", "enabled");

            Cli.Run run = verify("--expect", "2021-03-01T12:00:00Z", "--json");

            assertEquals(1, run.exitCode());
            JsonNode f = run.json().get("findings").get(0);
            assertEquals("systemd-timesyncd.service is running: it pulls the clock back to real time", f.get("problem").asText());
            assertEquals("systemctl disable --now systemd-timesyncd.service", f.get("fix").asText());
            assertTrue(run.json().get("timeSync").get("couldPullBack").asBoolean());
        }

        @Test
        void enabledButStoppedTimesyncdIsAFindingForTheNextBoot() {
            systemd("inactive", "enabled", "enabled");

            Cli.Run run = verify("--expect", "2021-03-01T12:00:00Z", "--json");

            assertEquals(1, run.exitCode());
            assertEquals("systemctl disable systemd-timesyncd.service", run.json().get("findings").get(0).get("fix").asText());
        }

        @Test
        void policyKeepLeavesTimeSyncAlone() {
            systemd("active", "enabled", "enabled");
            files.rtc(NOW);
            guest.write("policy.json", "{\"mode\":\"offset\",\"timeSync\":\"keep\"}");

            Cli.Run run = verify("--json");

            assertEquals(0, run.exitCode(), run.out());
            assertEquals("keep", run.json().get("timeSync").get("policy").asText());
            assertEquals("policy timeSync=keep: time sync is left alone (it can pull the clock back to real time)",
                    run.json().get("notes").get(0).asText());
        }

        @Test
        void systemctlFailingMeansTheStateIsUnknown() {
            runner = new ScriptedRunner().on(ScriptedRunner.showCommand(ASKED), 1,
                    "System has not been booted with systemd as init system (PID 1). Can't operate.");

            Cli.Run run = verify("--expect", "2021-03-01T12:00:00Z", "--json");

            assertEquals(1, run.exitCode());
            assertTrue(run.json().get("timeSync").get("couldPullBack").isNull());
            assertEquals("cannot tell whether NTP is off: systemctl show: System has not been booted with systemd as init system (PID 1). Can't operate.",
                    run.json().get("findings").get(0).get("problem").asText());
        }
    }

    @Nested
    class SystemdEpoch {
        @Test
        void buildDateAfterTheShiftedTimeWithoutHoldIsAFinding() {
            files.withMtime("usr/lib/systemd/systemd", Instant.parse("2024-05-01T00:00:00Z"));
            systemd("inactive", "disabled", "disabled");

            Cli.Run run = verify("--expect", "2021-03-01T12:00:00Z", "--json");

            assertEquals(1, run.exitCode());
            JsonNode e = run.json().get("systemdEpoch");
            assertEquals("2024-05-01T00:00:00Z", e.get("epoch").asText());
            assertEquals("/usr/lib/systemd/systemd (build date)", e.get("source").asText());
            assertTrue(e.get("bumpAtNextBoot").asBoolean());
            assertFalse(e.get("holdUnitEnabled").asBoolean());
            JsonNode f = run.json().get("findings").get(0);
            assertEquals("at next boot systemd will advance the clock to >= 2024-05-01T00:00:00Z (/usr/lib/systemd/systemd (build date));"
                    + " time-shift-guest-hold.service is not enabled, so the shifted time is lost at reboot", f.get("problem").asText());
            assertEquals("systemctl enable time-shift-guest-hold.service", f.get("fix").asText());
        }

        @Test
        void clockEpochFileAndTimesyncClockWinOverTheBuildDate() {
            files.withMtime("usr/lib/clock-epoch", Instant.parse("2022-01-01T00:00:00Z"));
            files.withMtime("var/lib/systemd/timesync/clock", Instant.parse("2025-02-02T00:00:00Z"));
            files.rtc(NOW);
            guest.write("policy.json", "{\"mode\":\"fixed\",\"date\":\"2021-03-01T00:00:00Z\"}");

            Cli.Run run = verify("--json");

            assertEquals(0, run.exitCode(), run.out());
            JsonNode e = run.json().get("systemdEpoch");
            assertEquals("2025-02-02T00:00:00Z", e.get("epoch").asText());
            assertEquals("/var/lib/systemd/timesync/clock", e.get("source").asText());
            assertTrue(e.get("bumpAtNextBoot").asBoolean());
            assertEquals("at next boot systemd will advance the clock to >= 2025-02-02T00:00:00Z (/var/lib/systemd/timesync/clock);"
                    + " time-shift-guest-hold.service (enabled) restores it from the RTC", run.json().get("notes").get(1).asText());
        }
    }
}

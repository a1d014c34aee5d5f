package io.timeshift.host.apply;

import io.timeshift.common.timesync.TimeSyncUnits;

import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.pve.qga.OsInfo;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link TimeSyncManager#disable} and {@link TimeSyncManager#enable} on the guests that are not a
 * systemd Linux with {@code systemctl show}: Windows (w32time through sc.exe), an old systemctl whose
 * {@code show} prints nothing, and a guest without systemctl.
 */
class TimeSyncManagerGuestsTest {
    private static final String SC = "C:\\Windows\\System32\\sc.exe";
    private static final OsInfo WINDOWS = new OsInfo("mswindows", "Microsoft Windows", "Windows Server 2019",
            null, "10.0", "17763", "x86_64");

    private final FakeQemuGa ga = new FakeQemuGa(new MutableClock(Instant.parse("2026-01-10T08:00:00Z")), new FakeMonotonic());
    private final TimeSyncManager manager = new TimeSyncManager(ga.client(105));

    @Nested
    class Windows {
        @Test
        void aRunningW32timeIsStoppedAndDisabled() {
            ga.onExec((path, args) -> args.get(0).equals("query")
                    ? FakeQemuGa.ExecReply.ok("SERVICE_NAME: w32time\r\n        STATE              : 4  RUNNING\r\n")
                    : FakeQemuGa.ExecReply.ok("[SC] ChangeServiceConfig SUCCESS\r\n"));

            TimeSyncManager.Report r = manager.disable(WINDOWS);

            assertEquals("stopped and disabled w32time", r.summary());
            assertEquals(List.of("w32time"), r.disabled());
            assertEquals(List.of(List.of(SC, "query", "w32time"), List.of(SC, "stop", "w32time"),
                    List.of(SC, "config", "w32time", "start=", "disabled")), ga.execs());
        }

        @Test
        void aGuestWithoutW32timeIsLeftAlone() {
            ga.onExec((path, args) -> new FakeQemuGa.ExecReply(1060, "[SC] EnumQueryServicesStatus:OpenService FAILED"
                    + " 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n", ""));

            TimeSyncManager.Report r = manager.disable(WINDOWS);

            assertEquals("w32time not present", r.summary());
            assertEquals(List.of(), r.found());
            assertEquals(List.of(List.of(SC, "query", "w32time")), ga.execs());
        }

        @Test
        void aRefusedConfigChangeIsReportedWithScsFirstLine() {
            ga.onExec((path, args) -> args.get(0).equals("config")
                    ? new FakeQemuGa.ExecReply(5, "[SC] ChangeServiceConfig FAILED 5:\r\n\r\nAccess is denied.\r\n", "")
                    : FakeQemuGa.ExecReply.ok("STATE              : 4  RUNNING\r\n"));

            TimeSyncManager.Report r = manager.disable(WINDOWS);

            assertEquals("could not disable w32time: [SC] ChangeServiceConfig FAILED 5:", r.summary());
            assertEquals(List.of("w32time"), r.found());
            assertEquals(List.of(), r.disabled());
        }

        @Test
        void reEnablingTurnsW32timeBackToAutomaticAndStartsIt() {
            TimeSyncManager.Report r = manager.enable(WINDOWS, List.of("w32time"));

            assertEquals("re-enabled w32time", r.summary());
            assertEquals(List.of("w32time"), r.enabled());
            assertEquals(List.of(List.of(SC, "config", "w32time", "start=", "auto"), List.of(SC, "start", "w32time")),
                    ga.execs());
        }
    }

    @Nested
    class LinuxWithoutAUsableShow {
        @Test
        void theActiveUnitsAreFoundWithIsActiveInstead() {
            ga.onExec((path, args) -> {
                if (args.get(0).equals("show")) {
                    return FakeQemuGa.ExecReply.ok("");
                }
                if (args.get(0).equals("is-active")) {
                    StringBuilder out = new StringBuilder();
                    for (String u : args.subList(1, args.size())) {
                        out.append(u.equals("chrony.service") ? "active\n" : "inactive\n");
                    }
                    return new FakeQemuGa.ExecReply(0, out.toString(), "");
                }
                return FakeQemuGa.ExecReply.ok("");
            });

            TimeSyncManager.Report r = manager.disable(null);

            assertEquals("disabled chrony.service", r.summary());
            assertEquals(List.of("chrony.service"), r.disabled());
            List<String> isActive = ga.execs().get(1);
            assertEquals(List.of("systemctl", "is-active"), isActive.subList(0, 2));
            assertEquals(TimeSyncUnits.LINUX, isActive.subList(2, isActive.size()));
            assertEquals(List.of("systemctl", "disable", "--now", "chrony.service"), ga.execs().get(2));
        }
    }

    @Nested
    class NoSystemctl {
        @Test
        void theReportSaysTimeSyncWasNotCheckedWithTheAgentsWords() {
            ga.onExec((path, args) -> FakeQemuGa.ExecReply.cannotStart());

            TimeSyncManager.Report r = manager.disable(null);

            assertEquals("no systemctl in the guest (Guest agent command failed, error was 'Failed to execute child process"
                    + " \u201csystemctl\u201d (No such file or directory)'); time sync not checked: make sure no NTP client"
                    + " runs there", r.summary());
            assertEquals(List.of(), r.found());
        }
    }
}

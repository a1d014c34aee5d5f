package io.timeshift.host.apply;

import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link TimeSyncManager#enable}: what it turned back on is in the report, not only in its text. */
class TimeSyncManagerTest {
    private final FakeQemuGa ga = new FakeQemuGa(new MutableClock(Instant.parse("2026-01-10T08:00:00Z")), new FakeMonotonic());

    @Test
    void reEnabledUnitsAreListed() {
        TimeSyncManager.Report r = new TimeSyncManager(ga.client(105)).enable(null, List.of("chrony.service"));
        assertEquals(List.of("chrony.service"), r.enabled());
        assertEquals("re-enabled chrony.service", r.summary());
        assertEquals(List.of(List.of("systemctl", "enable", "--now", "chrony.service")), ga.execs());
    }

    @Test
    void aFailedReEnableListsNothing() {
        ga.onExec((path, args) -> new FakeQemuGa.ExecReply(1, "", "Failed to enable unit\n"));
        TimeSyncManager.Report r = new TimeSyncManager(ga.client(105)).enable(null, List.of("chrony.service"));
        assertEquals(List.of(), r.enabled());
        assertEquals("could not re-enable chrony.service: Failed to enable unit", r.summary());
    }

    @Test
    void nothingToReEnable() {
        TimeSyncManager.Report r = new TimeSyncManager(ga.client(105)).enable(null, List.of());
        assertEquals(List.of(), r.enabled());
        assertEquals("nothing to re-enable", r.summary());
    }
}

package io.timeshift.host.testing;

import io.timeshift.testsupport.FakeMonotonic;

import io.timeshift.testsupport.MutableClock;

import io.timeshift.pve.qga.AgentErrorException;
import io.timeshift.pve.qga.AgentNotAnsweringException;
import io.timeshift.pve.qga.ExecResult;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.pve.qga.VmNotRunningException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fake agent must speak the protocol the real client expects, or every test built on it proves nothing. */
class FakeQemuGaTest {
    private final MutableClock clock = MutableClock.at("2026-01-10T08:00:00Z");
    private final FakeMonotonic mono = new FakeMonotonic();
    private final FakeQemuGa ga = new FakeQemuGa(clock, mono);
    private final QgaClient client = ga.client(105);

    @Test
    void guestClockRunsAtHostRateFromTheTimeItWasSetTo() {
        client.setTimeNanos(FakeQemuGa.nanos(Instant.parse("2021-03-01T12:00:00Z")));
        clock.advance(Duration.ofSeconds(90));

        assertEquals(Instant.parse("2021-03-01T12:01:30Z"), FakeQemuGa.fromNanos(client.getTimeNanos()));
        assertEquals("{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":1614600000000000000}}",
                ga.frames().get(0));
        assertEquals(List.of(1001L, 1002L), ga.syncIds()); // each exchange synced first, with a fresh id
    }

    @Test
    void aCommandWithoutSyncIsAProtocolError() throws Exception {
        var conn = ga.open();

        assertThrows(java.io.IOException.class, () -> conn.write("{\"execute\":\"guest-ping\"}\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void answersTheLateArgumentSetTimeWithTheTimeComputedAfterTheSync() {
        client.setTimeNanos(() -> FakeQemuGa.nanos(clock.instant()) + 5);

        assertEquals(FakeQemuGa.nanos(clock.instant()) + 5, client.getTimeNanos());
        assertEquals(List.of("guest-set-time", "guest-get-time"),
                ga.requests().stream().map(FakeQemuGa.Request::command).toList());
    }

    @Test
    void refusesYearsTheRealAgentRefuses() {
        AgentErrorException e = assertThrows(AgentErrorException.class,
                () -> client.setTimeNanos(FakeQemuGa.nanos(Instant.parse("2070-01-01T00:00:00Z"))));
        assertEquals("Invalid time", e.desc());
    }

    @Test
    void runsScriptedGuestCommandsAndFreesTheirStatus() {
        ga.onExec((path, args) -> FakeQemuGa.ExecReply.ok(path + " " + String.join(" ", args)));

        ExecResult r = client.run(Duration.ofSeconds(5), "echo", "a", "b");

        assertEquals("echo a b", r.out());
        assertEquals(List.of(List.of("echo", "a", "b")), ga.execs());
        long pid = ((Number) ga.requests("guest-exec-status").get(0).arguments().get("pid")).longValue();
        assertThrows(AgentErrorException.class, () -> client.execStatus(pid));
    }

    @Test
    void keepsFilesWrittenThroughTheAgent() {
        client.writeFile("/tmp/x", "hello".getBytes(StandardCharsets.UTF_8));

        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), ga.files().get("/tmp/x"));
    }

    @Test
    void silentAgentTimesOutOnTheFakeClockWithoutWaiting() {
        ga.neverAnswer();
        long start = System.nanoTime();

        assertThrows(AgentNotAnsweringException.class, client::ping);

        assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos());
    }

    @Test
    void stoppedVmHasNoSocket() {
        ga.vmStopped();

        assertThrows(VmNotRunningException.class, client::getTimeNanos);
    }

    @org.junit.jupiter.api.Nested
    class Hostile {
        @Test
        void hostileOsInfoArrivesWithItsNulEscapeAndMegabyte() {
            ga.osInfo(FakeQemuGa.hostileOsInfo());

            io.timeshift.pve.qga.OsInfo os = client.osInfo();

            assertEquals("deb\u0000ian", os.id());
            assertEquals("x\u001b[2J\nroot# ", os.name());
            assertEquals(1 << 20, os.prettyName().length());
        }

        @Test
        void getTimeAnswersAnExtremeValueThatTheClientRefusesTyped() {
            ga.getTimeAnswers(Long.MIN_VALUE);

            assertThrows(io.timeshift.pve.qga.AgentProtocolException.class, client::getTimeNanos);
        }

        @Test
        void aRawReplyIsSentAsItsExactBytes() {
            ga.rawReply("guest-ping", "{\"return\": {\"x\": \"a\u0000b\"}}\n".getBytes(StandardCharsets.UTF_8));

            assertThrows(io.timeshift.pve.qga.AgentProtocolException.class, client::ping);
        }
    }
}

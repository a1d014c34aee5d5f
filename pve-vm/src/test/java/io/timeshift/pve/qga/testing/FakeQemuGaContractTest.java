package io.timeshift.pve.qga.testing;

import io.timeshift.testsupport.FakeMonotonic;

import io.timeshift.testsupport.MutableClock;

import io.timeshift.pve.qga.AgentNotAnsweringException;
import io.timeshift.pve.qga.AgentProtocolException;
import io.timeshift.pve.qga.OsInfo;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.pve.qga.QgaConnection;
import io.timeshift.pve.qga.QgaConnector;
import io.timeshift.pve.qga.VmNotRunningException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The QGA contract against {@link FakeQemuGa}, so the unit tests built on the fake rely on what the real
 * agent does ({@code RealQemuGaContractTest} runs the same contract against it). Below the contract: the
 * fake's own scripting knobs (host clock, silence, a stopped VM, hostile replies), which have no real
 * counterpart to compare with.
 */
class FakeQemuGaContractTest extends QgaContract {
    private final MutableClock clock = MutableClock.at("2026-01-10T08:00:00Z");
    private final FakeMonotonic mono = new FakeMonotonic();
    private final FakeQemuGa ga = new FakeQemuGa(clock, mono).onExec(this::coreutils);

    /** The few guest programs the contract runs, as the busybox test guest has them. */
    private FakeQemuGa.ExecReply coreutils(String path, List<String> args) {
        switch (path) {
            case "echo":
                return FakeQemuGa.ExecReply.ok(String.join(" ", args) + "\n");
            case "cat": {
                StringBuilder out = new StringBuilder();
                for (String f : args) {
                    byte[] b = ga.files().get(f);
                    if (b == null) {
                        return new FakeQemuGa.ExecReply(1, "", "cat: can't open '" + f + "': No such file or directory\n");
                    }
                    out.append(new String(b, StandardCharsets.UTF_8));
                }
                return FakeQemuGa.ExecReply.ok(out.toString());
            }
            default:
                return FakeQemuGa.ExecReply.cannotStart();
        }
    }

    @Override
    protected QgaConnector connector() {
        return ga;
    }

    @Override
    protected QgaClient client() {
        return ga.client(105);
    }

    @Override
    protected long elapsedNanos() {
        return FakeQemuGa.nanos(clock.instant());
    }

    @Override
    protected void removeHwclock() {
        ga.hwclock(false);
    }

    @Override
    protected void breakRtc() {
        ga.rtcWritable(false);
    }

    @Override
    protected void blockRpcs(String... commands) {
        ga.blockRpcs(commands);
    }

    @Override
    protected void restoreAgent() {
        ga.restore();
    }

    @Nested
    class ScriptingKnobs {
        private final QgaClient client = ga.client(105);

        @Test
        void theGuestClockRunsAtTheHostClocksRateFromTheTimeItWasSetTo() {
            client.setTimeNanos(() -> FakeQemuGa.nanos(Instant.parse("2021-03-01T12:00:00Z")));
            clock.advance(Duration.ofSeconds(90));

            assertEquals(Instant.parse("2021-03-01T12:01:30Z"), FakeQemuGa.fromNanos(client.getTimeNanos()));
            assertEquals(List.of("guest-set-time", "guest-get-time"),
                    ga.requests().stream().map(FakeQemuGa.Request::command).toList());
            assertEquals("{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":1614600000000000000}}",
                    ga.frames().get(0));
            assertEquals(List.of(1001L, 1002L), ga.syncIds()); // each exchange synced first, with a fresh id
        }

        @Test
        void aCommandWithoutASyncFirstIsRefusedAsTheClientNeverSendsOne() throws Exception {
            QgaConnection conn = ga.open();

            assertThrows(IOException.class, () -> conn.write("{\"execute\":\"guest-ping\"}\n".getBytes(StandardCharsets.UTF_8)));
        }

        @Test
        void filesWrittenThroughTheAgentAreKeptByPath() {
            client.writeFile("/tmp/x", "hello".getBytes(StandardCharsets.UTF_8));

            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), ga.files().get("/tmp/x"));
            assertEquals(List.of(), ga.execs());
        }

        @Test
        void aSilentAgentTimesOutOnTheFakeClockWithoutWaiting() {
            ga.neverAnswer();
            long start = System.nanoTime();

            assertThrows(AgentNotAnsweringException.class, client::ping);

            assertEquals(true, System.nanoTime() - start < Duration.ofSeconds(2).toNanos());
            assertEquals(List.of("guest-ping"), ga.requests().stream().map(FakeQemuGa.Request::command).toList());
        }

        @Test
        void aStoppedVmHasNoSocket() {
            ga.vmStopped();

            assertThrows(VmNotRunningException.class, client::getTimeNanos);
        }

        @Test
        void aHostileOsInfoArrivesWithItsNulEscapeAndMegabyte() {
            ga.osInfo(FakeQemuGa.hostileOsInfo());

            OsInfo os = client.osInfo();

            assertEquals("deb\u0000ian", os.id());
            assertEquals("x\u001b[2J\nroot# ", os.name());
            assertEquals(1 << 20, os.prettyName().length());
        }

        @Test
        void anExtremeGetTimeAnswerIsRefusedTypedByTheClient() {
            ga.getTimeAnswers(Long.MIN_VALUE);

            assertThrows(AgentProtocolException.class, client::getTimeNanos);
        }

        @Test
        void frozenFilesystemsDisableAllButTheFreezeAllowlistUntilThawed() throws Exception {
            ga.frozenFilesystems();

            assertEquals("{\"return\": \"frozen\"}", exchange(2, "{\"execute\":\"guest-fsfreeze-status\"}").reply());
            assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Command guest-set-time has been disabled:"
                    + " the agent is in frozen state\"}}",
                    exchange(3, "{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":1}}").reply());
            io.timeshift.pve.qga.AgentErrorException e = assertThrows(io.timeshift.pve.qga.AgentErrorException.class,
                    client::getTimeNanos);
            assertEquals(io.timeshift.pve.qga.AgentErrorKind.FROZEN, e.kind());
            client.ping();

            assertEquals("{\"return\": 1}", exchange(4, "{\"execute\":\"guest-fsfreeze-thaw\"}").reply());
            client.getTimeNanos();
        }

        @Test
        void aRawReplyIsSentAsItsExactBytes() throws Exception {
            ga.rawReply("guest-ping", "{\"return\": {\"x\": \"a\u0000b\"}}\n".getBytes(StandardCharsets.UTF_8));

            assertEquals("{\"return\": {\"x\": \"a\u0000b\"}}", exchange(1, "{\"execute\":\"guest-ping\"}").reply());
            assertThrows(AgentProtocolException.class, client::ping);
        }
    }
}

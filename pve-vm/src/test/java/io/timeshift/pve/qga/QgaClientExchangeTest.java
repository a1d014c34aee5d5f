package io.timeshift.pve.qga;

import io.timeshift.testsupport.FakeMonotonic;

import io.timeshift.common.time.Sleeper;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exchanges the apply worker depends on beyond a plain command (the late-argument set and the timed
 * reading), and what the client makes of an agent, a socket or a guest program that misbehaves.
 */
class QgaClientExchangeTest {
    private static final int VMID = 105;
    private static final long FIRST_ID = 4711;

    private FakeMonotonic clock;
    private ScriptedConnector agent;
    private QgaClient client;

    @BeforeEach
    void setUp() {
        clock = new FakeMonotonic();
        agent = new ScriptedConnector(clock, FIRST_ID);
        client = new QgaClient(VMID, agent, clock, agent.ids(), QgaClient.DEFAULT_TIMEOUT, clock::advance);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final String SYNC = "{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":4711}}\n";

    @Nested
    class LateArguments {
        @Test
        void setTimeSendsTheSyncAloneThenTheTimeAskedForOnlyAfterTheSyncReply() {
            ScriptedQgaConnection c = agent.answer("{\"return\": {}}");
            List<Integer> writesWhenAsked = new ArrayList<>();

            client.setTimeNanos(() -> {
                writesWhenAsked.add(c.writes().size());
                return 1_614_600_000_123_456_789L;
            });

            assertEquals(List.of(1), writesWhenAsked, "the time is taken after the sync went out and came back");
            assertEquals(2, c.writes().size());
            assertArrayEquals(utf8(SYNC), c.writes().get(0));
            assertArrayEquals(utf8("{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":1614600000123456789}}\n"),
                    c.writes().get(1));
            assertTrue(c.closed());
        }

        @Test
        void aSyncNeverAnsweredMeansTheTimeIsNeverAskedFor() {
            agent.connection().silence();
            List<String> asked = new ArrayList<>();

            AgentNotAnsweringException e = assertThrows(AgentNotAnsweringException.class,
                    () -> client.setTimeNanos(() -> {
                        asked.add("asked");
                        return 1L;
                    }));

            assertEquals(List.of(), asked);
            assertEquals("VM 105: guest agent did not answer guest-set-time within 5 s (is qemu-guest-agent running in the"
                    + " guest?)", e.getMessage());
        }

        @Test
        void aTimedReadingSitsMidwayBetweenTheCommandGoingOutAndItsReplyArriving() {
            ScriptedQgaConnection c = agent.answer("{\"return\": 1614600000000000000}");
            long[] host = {1_000, 5_000};
            int[] i = {0};

            QgaClient.TimedReading r = client.timedGetTime(() -> host[i[0]++]);

            assertEquals(new QgaClient.TimedReading(1_614_600_000_000_000_000L, 3_000), r);
            assertEquals(1_614_600_000_000_000_000L - 3_000, r.offsetNanos());
            assertArrayEquals(utf8(SYNC), c.writes().get(0));
            assertArrayEquals(utf8("{\"execute\":\"guest-get-time\"}\n"), c.writes().get(1));
        }

        @Test
        void aTimedReadingOutsideTheSupportedYearsIsAProtocolError() {
            agent.answer("{\"return\": -9223372036854775808}");

            AgentProtocolException e = assertThrows(AgentProtocolException.class, () -> client.timedGetTime(() -> 0L));

            assertTrue(e.getMessage().startsWith("VM 105: unexpected reply to guest-get-time: the guest's time "
                    + "-9223372036854775808 ns since the epoch is outside"), e.getMessage());
        }
    }

    @Nested
    class GuestPrograms {
        @Test
        void anInterruptedWaitForAGuestCommandStopsWithTheInterruptKept() {
            QgaClient interrupted = new QgaClient(VMID, agent, clock, agent.ids(), QgaClient.DEFAULT_TIMEOUT, nanos -> {
                throw new InterruptedException();
            });
            agent.answer("{\"return\": {\"pid\": 7}}");
            agent.answer("{\"return\": {\"exited\": false}}");

            AgentNotAnsweringException e = assertThrows(AgentNotAnsweringException.class,
                    () -> interrupted.run(Duration.ofSeconds(5), "sleep", "9"));

            assertEquals("VM 105: interrupted while waiting for guest command 'sleep 9' (pid 7)", e.getMessage());
            assertTrue(Thread.interrupted(), "the interrupt is passed on");
        }

        @Test
        void anExitCodeBeyondThirtyTwoBitsIsAProtocolError() {
            agent.answer("{\"return\": {\"exited\": true, \"exitcode\": 4294967296}}");

            AgentProtocolException e = assertThrows(AgentProtocolException.class, () -> client.execStatus(7));

            assertTrue(e.getMessage().startsWith("VM 105: unexpected reply to guest-exec-status: \"exitcode\" is out of range"),
                    e.getMessage());
        }

        @Test
        void anExitedFlagThatIsNotABooleanIsAProtocolError() {
            agent.answer("{\"return\": {\"exited\": \"yes\"}}");

            AgentProtocolException e = assertThrows(AgentProtocolException.class, () -> client.execStatus(7));

            assertTrue(e.getMessage().startsWith("VM 105: unexpected reply to guest-exec-status: \"exited\" is missing or"
                    + " not a boolean"), e.getMessage());
        }

        @Test
        void anEmptyProgramPathIsRefusedBeforeAnythingIsSent() {
            assertThrows(IllegalArgumentException.class, () -> client.exec("", List.of(), true));
            assertEquals(0, agent.opened().size());
        }
    }

    @Nested
    class GuestFileWrites {
        @Test
        void aGuestReportingZeroBytesWrittenFailsTheWriteAndTheFileIsStillClosed() {
            agent.answer("{\"return\": 3}");
            agent.answer("{\"return\": {\"count\": 0, \"eof\": false}}");
            ScriptedQgaConnection close = agent.answer("{\"return\": {}}");

            AgentProtocolException e = assertThrows(AgentProtocolException.class,
                    () -> client.writeFile("/var/lib/x", utf8("hello")));

            assertEquals("VM 105: guest-file-write to /var/lib/x reported 0 of 5 bytes written", e.getMessage());
            assertTrue(close.written().endsWith("{\"execute\":\"guest-file-close\",\"arguments\":{\"handle\":3}}\n"),
                    close.written());
        }

        @Test
        void aCloseThatFailsAfterAGoodWriteIsTheFailure() {
            agent.answer("{\"return\": 3}");
            agent.answer("{\"return\": {\"count\": 5, \"eof\": false}}");
            agent.answer("{\"error\": {\"class\": \"GenericError\", \"desc\": \"failed to close handle: No space left on device\"}}");

            AgentErrorException e = assertThrows(AgentErrorException.class,
                    () -> client.writeFile("/var/lib/x", utf8("hello")));

            assertEquals("failed to close handle: No space left on device", e.desc());
            assertEquals(0, e.getSuppressed().length);
        }
    }

    @Nested
    class MisbehavingAgents {
        @Test
        void anErrorThatIsNotAnObjectIsAProtocolErrorNotAnAgentError() {
            agent.answer("{\"error\": \"no\"}");

            AgentProtocolException e = assertThrows(AgentProtocolException.class, () -> client.ping());

            assertEquals("VM 105: guest agent sent a malformed error in reply to guest-ping: {\"error\": \"no\"}", e.getMessage());
        }

        @Test
        void anErrorWithoutADescIsAProtocolError() {
            agent.answer("{\"error\": {\"class\": \"GenericError\"}}");

            assertThrows(AgentProtocolException.class, () -> client.ping());
        }

        @Test
        void anErrorWithoutAClassIsAGenericAgentError() {
            agent.answer("{\"error\": {\"desc\": \"Invalid time\"}}");

            AgentErrorException e = assertThrows(AgentErrorException.class, () -> client.ping());

            assertEquals("GenericError", e.errorClass());
            assertEquals(AgentErrorKind.OTHER, e.kind());
        }

        @Test
        void anOsNameThatIsNotAStringIsAProtocolError() {
            agent.answer("{\"return\": {\"id\": 5}}");

            AgentProtocolException e = assertThrows(AgentProtocolException.class, () -> client.osInfo());

            assertTrue(e.getMessage().startsWith("VM 105: unexpected reply to guest-get-osinfo: \"id\" is not a string"),
                    e.getMessage());
        }

        @Test
        void aConnectFailureOtherThanTheKnownOnesIsNotAnswering() {
            agent.failOpen(new IOException("Too many open files"));

            AgentNotAnsweringException e = assertThrows(AgentNotAnsweringException.class, () -> client.ping());

            assertEquals("VM 105: cannot connect to the guest agent for guest-ping: Too many open files", e.getMessage());
        }
    }

    @Nested
    class ClosingTheConnection {
        private final ScriptedQgaConnection inner = new ScriptedQgaConnection(new FakeMonotonic());
        private final IOException closeFailure = new IOException("close failed");

        private QgaClient over(ScriptedQgaConnection c) {
            QgaConnection failingClose = new QgaConnection() {
                @Override
                public void write(byte[] bytes) throws IOException {
                    c.write(bytes);
                }

                @Override
                public int read(ByteBuffer dst, long timeoutNanos) throws IOException {
                    return c.read(dst, timeoutNanos);
                }

                @Override
                public void close() throws IOException {
                    c.close();
                    throw closeFailure;
                }
            };
            return new QgaClient(VMID, () -> failingClose, clock, () -> 9L, QgaClient.DEFAULT_TIMEOUT, clock::advance);
        }

        @Test
        void aFailedCloseAfterAnAnswerLosesNothing() {
            inner.syncReply(9).reply("{\"return\": 1614600000000000000}");

            assertEquals(1_614_600_000_000_000_000L, over(inner).getTimeNanos());
            assertTrue(inner.closed());
        }

        @Test
        void aFailedCloseAfterAFailureIsAttachedToIt() {
            inner.syncReply(9).eof();

            AgentProtocolException e = assertThrows(AgentProtocolException.class, () -> over(inner).ping());

            assertEquals("VM 105: guest agent closed the connection mid-reply to guest-ping (after the sync reply)",
                    e.getMessage());
            assertEquals(1, e.getSuppressed().length);
            assertInstanceOf(IOException.class, e.getSuppressed()[0]);
            assertEquals("close failed", e.getSuppressed()[0].getMessage());
        }
    }

    @Nested
    class TheRealSleeper {
        @Test
        void sleepsAtLeastTheTimeAskedFor() throws InterruptedException {
            long start = System.nanoTime();

            Sleeper.SYSTEM.sleep(java.time.Duration.ofMillis(20));

            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}

package io.timeshift.pve.qga;

import io.timeshift.testsupport.FakeMonotonic;

import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.testsupport.HostileText;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A hostile or broken guest: whatever it answers becomes a typed error or a safely accepted value. */
class HostileRepliesTest {
    private static final int VMID = 105;

    private static QgaClient clientFor(ScriptedConnector agent, FakeMonotonic clock) {
        return new QgaClient(VMID, agent, clock, agent.ids(), QgaClient.DEFAULT_TIMEOUT, clock::advance);
    }

    private static ScriptedConnector answering(FakeMonotonic clock, byte[] reply) {
        ScriptedConnector agent = new ScriptedConnector(clock, 7);
        agent.connection().syncReply(7).send(reply).eof();
        return agent;
    }

    private static void assertOneSafeLine(String message) {
        assertFalse(message.contains("\n") || message.contains("\r") || message.contains("\u001b")
                || message.contains("\u0000"), message);
        assertTrue(message.length() <= 1000, "message of " + message.length() + " characters");
    }

    @Nested
    class GetTime {
        @Test
        void minimumLongIsAProtocolErrorNamingTheRange() {
            FakeMonotonic clock = new FakeMonotonic();
            QgaClient c = clientFor(answering(clock, "{\"return\": -9223372036854775808}\n".getBytes(StandardCharsets.UTF_8)), clock);
            AgentProtocolException e = assertThrows(AgentProtocolException.class, c::getTimeNanos);
            assertTrue(e.getMessage().contains("outside 1970-01-01T00:00:00Z..2069-12-31T23:59:59Z"), e.getMessage());
        }

        @Test
        void maximumLongIsAProtocolErrorToo() {
            FakeMonotonic clock = new FakeMonotonic();
            QgaClient c = clientFor(answering(clock, "{\"return\": 9223372036854775807}\n".getBytes(StandardCharsets.UTF_8)), clock);
            assertThrows(AgentProtocolException.class, () -> c.timedGetTime(() -> 0L));
        }

        @Test
        void beyondSixtyFourBitsIsAProtocolError() {
            FakeMonotonic clock = new FakeMonotonic();
            QgaClient c = clientFor(answering(clock, "{\"return\": 1e400}\n".getBytes(StandardCharsets.UTF_8)), clock);
            assertThrows(AgentProtocolException.class, c::getTimeNanos);
        }

        @Property(tries = 1000)
        void anyLongIsAcceptedInsideTheRangeAndRefusedTypedOutside(@ForAll long ns) {
            FakeMonotonic clock = new FakeMonotonic();
            QgaClient c = clientFor(answering(clock, ("{\"return\": " + ns + "}\n").getBytes(StandardCharsets.UTF_8)), clock);
            boolean inRange = ns >= 0 && ns < 3_155_760_000L * 1_000_000_000L;
            if (inRange) {
                assertEquals(ns, c.getTimeNanos());
            } else {
                assertThrows(AgentProtocolException.class, c::getTimeNanos);
            }
        }
    }

    @Nested
    class OsInfoAndErrors {
        @Test
        void anEscapedNulInTheOsNameIsAcceptedAsText() {
            FakeMonotonic clock = new FakeMonotonic();
            QgaClient c = clientFor(answering(clock,
                    "{\"return\": {\"id\": \"deb\\u0000ian\", \"pretty-name\": \"x\\u001b[2J\"}}\n".getBytes(StandardCharsets.UTF_8)), clock);
            OsInfo os = c.osInfo();
            assertEquals("deb\u0000ian", os.id());
            assertEquals("x\u001b[2J", os.prettyName());
        }

        @Test
        void aRawNulByteInTheReplyIsAProtocolError() {
            FakeMonotonic clock = new FakeMonotonic();
            QgaClient c = clientFor(answering(clock,
                    "{\"return\": {\"id\": \"deb\u0000ian\"}}\n".getBytes(StandardCharsets.UTF_8)), clock);
            AgentProtocolException e = assertThrows(AgentProtocolException.class, c::osInfo);
            assertOneSafeLine(e.getMessage());
        }

        @Test
        void aHugeOsNameIsAcceptedWhole() {
            FakeMonotonic clock = new FakeMonotonic();
            String big = "D".repeat(4 << 20);
            QgaClient c = clientFor(answering(clock,
                    ("{\"return\": {\"name\": \"" + big + "\"}}\n").getBytes(StandardCharsets.UTF_8)), clock);
            assertEquals(big, c.osInfo().name());
        }

        @Test
        void anErrorDescWithNewlinesEscapesAndTenMegabytesIsOneShortLine() {
            FakeMonotonic clock = new FakeMonotonic();
            String desc = "bad\\n\\u001b[31mthing" + "x".repeat(10 << 20);
            QgaClient c = clientFor(answering(clock,
                    ("{\"error\": {\"class\": \"GenericError\", \"desc\": \"" + desc + "\"}}\n").getBytes(StandardCharsets.UTF_8)), clock);
            AgentErrorException e = assertThrows(AgentErrorException.class, c::ping);
            assertOneSafeLine(e.getMessage());
            assertTrue(e.getMessage().startsWith("VM 105: guest agent refused guest-ping: bad\\n\\u001b[31mthing"), e.getMessage());
            assertTrue(e.getMessage().endsWith("\u2026"), "cut with an ellipsis");
        }

        @Test
        void aNulInAnArgumentIsRefusedBeforeAnythingIsSent() {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> QgaClient.frame(1, "guest-file-open", Map.of("path", "/etc/x\u0000y")));
            assertTrue(e.getMessage().contains("NUL"), e.getMessage());
        }
    }

    @Nested
    class AnyReply {
        @Provide
        Arbitrary<byte[]> replies() {
            Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
            Arbitrary<byte[]> texty = HostileText.anyText(200).map(s -> ("{\"return\": " + s + "}\n").getBytes(StandardCharsets.UTF_8));
            Arbitrary<byte[]> objects = HostileText.anyText(200)
                    .map(s -> ("{\"return\": {\"id\": \"" + s + "\", \"name\": " + s + "}}").getBytes(StandardCharsets.UTF_8));
            Arbitrary<byte[]> errors = HostileText.anyText(200)
                    .map(s -> ("{\"error\": {\"class\": " + s + ", \"desc\": \"" + s + "\"}}").getBytes(StandardCharsets.UTF_8));
            return Arbitraries.oneOf(raw, texty, objects, errors);
        }

        @Property(tries = 2000)
        void everyCommandEndsInAValueOrOneOfOurTypedErrorsOnOneLine(@ForAll("replies") byte[] reply,
                                                                       @ForAll("commands") String command) {
            FakeMonotonic clock = new FakeMonotonic();
            QgaClient c = clientFor(answering(clock, reply), clock);
            try {
                switch (command) {
                    case "ping" -> c.ping();
                    case "time" -> c.getTimeNanos();
                    case "osinfo" -> c.osInfo();
                    case "status" -> c.execStatus(1);
                    default -> c.execute("guest-info", null);
                }
            } catch (TimeShiftException e) {
                assertOneSafeLine(e.getMessage());
            } catch (RuntimeException | Error e) {
                fail("not one of our exceptions: " + e);
            }
        }

        @Provide
        Arbitrary<String> commands() {
            return Arbitraries.of("ping", "time", "osinfo", "status", "raw");
        }

        @Property(tries = 2000)
        void theScannerConsumesAnyBytesOrReportsAViolation(@ForAll("replies") byte[] before, @ForAll("replies") byte[] after) {
            ReplyScanner s = new ReplyScanner(9, 1 << 16);
            try {
                s.feed(ByteBuffer.wrap(before));
                s.feed(ByteBuffer.wrap(ScriptedQgaConnection.syncReplyBytes(9)));
                if (s.feed(ByteBuffer.wrap(after))) {
                    assertTrue(s.reply().startsWith("{") && s.reply().endsWith("}"));
                }
            } catch (ReplyScanner.Violation expected) {
                assertFalse(expected.getMessage().isEmpty());
            }
        }
    }
}

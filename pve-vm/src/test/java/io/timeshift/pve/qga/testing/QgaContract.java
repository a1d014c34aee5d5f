package io.timeshift.pve.qga.testing;

import io.timeshift.pve.qga.AgentErrorException;
import io.timeshift.pve.qga.AgentErrorKind;
import io.timeshift.pve.qga.ExecResult;
import io.timeshift.pve.qga.GuestTimezone;
import io.timeshift.pve.qga.OsInfo;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.pve.qga.QgaConnection;
import io.timeshift.pve.qga.QgaConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What our client relies on from a QEMU guest agent, written once and run against every agent we test
 * with: {@code FakeQemuGaContractTest} (the fake the unit tests use) and {@code RealQemuGaContractTest}
 * (Debian 12's qemu-guest-agent 7.2 in the real test VM). Where the two disagree the real agent is the
 * truth and the fake is fixed. Exact bytes are asserted where the wire format is what we rely on.
 *
 * <p>A subject provides the raw connector (for byte-level exchanges), a client over it, a reading of
 * elapsed time on the subject's clock, and the few guest set-ups the refusal tests need.
 */
public abstract class QgaContract {
    /** Generous for the real agent under TCG on a shared machine; instant for the fake. */
    protected static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(20);
    /** A settimeofday + gettimeofday round trip lands within this of the target (plus the time between). */
    private static final long SET_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** 2021-03-01T12:00:00Z: inside every agent's accepted range (1970..2069). */
    protected static final long TARGET_NS = 1_614_600_000_000_000_000L;

    /** The agent's socket seam: each open() is one fresh connection, as the client uses it. */
    protected abstract QgaConnector connector();

    /** A client over {@link #connector()}. */
    protected abstract QgaClient client();

    /** Elapsed time on the clock the guest runs by (the fake's host clock only moves when a test moves it). */
    protected abstract long elapsedNanos();

    /** The guest has no {@code /sbin/hwclock} from now on, as qemu-ga sees it (restarted if it caches that). */
    protected abstract void removeHwclock() throws Exception;

    /** The guest's RTC cannot be written from now on ({@code hwclock -w} fails), hwclock itself present. */
    protected abstract void breakRtc() throws Exception;

    /** qemu-ga runs with {@code --block-rpcs=<commands>} from now on. */
    protected abstract void blockRpcs(String... commands) throws Exception;

    /** Undoes {@link #removeHwclock}, {@link #breakRtc} and {@link #blockRpcs}, and thaws a frozen agent. */
    protected abstract void restoreAgent() throws Exception;

    // ------------------------------------------------------------------------------------------ framing

    @Nested
    class Framing {
        @Test
        void theSyncIsAnsweredWithTheSentinelAndOurIdThenTheCommandsReplyLine() throws Exception {
            Raw r = exchange(4711, "{\"execute\":\"guest-ping\"}");

            assertArrayEquals(bytes("\u00ff{\"return\": 4711}\n"), r.syncReply, r.toString());
            assertEquals("{\"return\": {}}", r.reply);
        }

        @Test
        void theIdIsEchoedWhateverItsSizeUpToTheLargestWeSend() throws Exception {
            Raw r = exchange(2147483647L, "{\"execute\":\"guest-ping\"}");

            assertArrayEquals(bytes("\u00ff{\"return\": 2147483647}\n"), r.syncReply, r.toString());
        }

        @Test
        void aCommandSentAfterTheSyncReplyIsAnsweredOnTheSameConnection() throws Exception {
            try (QgaConnection c = connector().open(TimeUnit.SECONDS.toNanos(20))) {
                c.write(bytes("{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":99}}\n"));
                Reader in = new Reader(c);
                assertArrayEquals(bytes("\u00ff{\"return\": 99}\n"), in.untilSync(99));
                c.write(bytes("{\"execute\":\"guest-ping\"}\n"));
                assertEquals("{\"return\": {}}", in.line());
            }
        }

        @Test
        void eachExchangeOfTheClientUsesAFreshConnectionAndAnswersInTurn() {
            QgaClient client = client();
            client.ping();
            long first = client.getTimeNanos();
            long second = client.getTimeNanos();

            assertTrue(second >= first, first + " then " + second);
        }
    }

    // ------------------------------------------------------------------------------------------ commands

    @Nested
    class Commands {
        @Test
        void pingAnswersAnEmptyObject() throws Exception {
            assertEquals("{\"return\": {}}", exchange(5, "{\"execute\":\"guest-ping\"}").reply);
            client().ping();
        }

        @Test
        void getTimeAnswersNanosecondsSinceTheEpochAsOneInteger() throws Exception {
            String reply = exchange(6, "{\"execute\":\"guest-get-time\"}").reply;

            assertTrue(reply.startsWith("{\"return\": ") && reply.endsWith("}"), reply);
            long ns = Long.parseLong(reply.substring("{\"return\": ".length(), reply.length() - 1));
            assertTrue(ns > 0, reply);
        }

        @Test
        void setTimeWithATimeSetsTheClockThereAndAnswersAnEmptyObject() throws Exception {
            long before = elapsedNanos();
            String reply = exchange(7, "{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":" + TARGET_NS + "}}").reply;
            long guest = client().getTimeNanos();
            long elapsed = elapsedNanos() - before;

            assertEquals("{\"return\": {}}", reply);
            assertSetNear(TARGET_NS, guest, elapsed);
        }

        @Test
        void setTimeWithTheTimeTakenAfterTheSyncSetsThatTime() {
            QgaClient client = client();
            long[] asked = new long[1];
            long before = elapsedNanos();
            client.setTimeNanos(() -> asked[0] = TARGET_NS + 3_000_000_000L);
            long guest = client.getTimeNanos();

            assertEquals(TARGET_NS + 3_000_000_000L, asked[0]);
            assertSetNear(TARGET_NS + 3_000_000_000L, guest, elapsedNanos() - before);
        }

        @Test
        void setTimeWithoutATimeReadsTheRtcBackWhichKeepsATimeSetJustBefore() throws Exception {
            long before = elapsedNanos();
            exchange(8, "{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":" + TARGET_NS + "}}");
            String reply = exchange(9, "{\"execute\":\"guest-set-time\"}").reply;
            long guest = client().getTimeNanos();
            long elapsed = elapsedNanos() - before;

            assertEquals("{\"return\": {}}", reply);
            // hwclock -s: the RTC has whole seconds only
            long error = guest - TARGET_NS;
            assertTrue(error >= -1_000_000_000L - SET_SLACK_NANOS && error <= elapsed + 1_000_000_000L + SET_SLACK_NANOS,
                    "guest " + guest + " vs " + TARGET_NS + " after " + elapsed + " ns");
        }

        @Test
        void setTimeOutsideTheYears1970To2069IsRefusedAsInvalidTime() throws Exception {
            String reply = exchange(10, "{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":3155760000000000000}}").reply;

            // error_setg_errno(errp, errno, "Invalid time"): a strerror is appended when errno happens to be set
            assertTrue(reply.startsWith("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid time"), reply);
        }

        @Test
        void getTimezoneAnswersTheZoneNameAndItsOffsetEastOfUtc() throws Exception {
            assertEquals("{\"return\": {\"zone\": \"UTC\", \"offset\": 0}}",
                    exchange(11, "{\"execute\":\"guest-get-timezone\"}").reply);
            GuestTimezone tz = client().timezone();
            assertEquals(new GuestTimezone("UTC", 0), tz);
        }

        @Test
        void getOsinfoAnswersALinuxGuestsIdKernelAndMachine() {
            OsInfo os = client().osInfo();

            assertNotNull(os.id());
            assertFalse(os.id().isEmpty());
            assertFalse(os.isWindows());
            assertNotNull(os.prettyName());
            assertNotNull(os.kernelRelease());
            assertEquals("x86_64", os.machine());
        }
    }

    // ------------------------------------------------------------------------------------------ guest-exec

    @Nested
    class GuestExec {
        @Test
        void execAnswersAPidAndStatusReportsTheExitCodeAndBase64OutputOnce() throws Exception {
            String started = exchange(12, "{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"echo\","
                    + "\"arg\":[\"a\",\"b\"],\"capture-output\":true}}").reply;
            assertTrue(started.startsWith("{\"return\": {\"pid\": ") && started.endsWith("}}"), started);
            long pid = Long.parseLong(started.substring("{\"return\": {\"pid\": ".length(), started.length() - 2));

            String status = pollExited(pid);

            assertEquals("{\"return\": {\"exitcode\": 0, \"out-data\": \"" + b64("a b\n") + "\", \"out-truncated\": false,"
                    + " \"exited\": true}}", status);
            // qemu-ga frees the entry once it has reported exited:true
            assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter 'pid'\"}}",
                    exchange(13, "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":" + pid + "}}").reply);
        }

        @Test
        void aFailingCommandsStatusCarriesItsExitCodeAndStderrOnly() throws Exception {
            String started = exchange(14, "{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"cat\","
                    + "\"arg\":[\"/no/such/file\"],\"capture-output\":true}}").reply;
            long pid = Long.parseLong(started.substring("{\"return\": {\"pid\": ".length(), started.length() - 2));

            assertEquals("{\"return\": {\"exitcode\": 1, \"err-data\": \""
                    + b64("cat: can't open '/no/such/file': No such file or directory\n") + "\", \"err-truncated\": false,"
                    + " \"exited\": true}}", pollExited(pid));
        }

        @Test
        void theClientRunsACommandToItsExitWithStdoutAndStderr() {
            ExecResult r = client().run(EXCHANGE_TIMEOUT, "echo", "hello", "world");

            assertEquals(0, r.exitCode());
            assertEquals("hello world\n", r.out());
            assertEquals("", r.err());
            assertTrue(r.ok());
        }

        @Test
        void aCommandThatCannotBeStartedIsAnErrorNamingIt() {
            AgentErrorException e = assertThrows(AgentErrorException.class,
                    () -> client().run(EXCHANGE_TIMEOUT, "/no/such/binary"));

            assertEquals("GenericError", e.errorClass());
            assertTrue(e.desc().startsWith("Guest agent command failed, error was 'Failed to execute child process"),
                    e.desc());
            assertTrue(e.desc().contains("/no/such/binary"), e.desc());
            assertEquals(AgentErrorKind.OTHER, e.kind());
        }

        @Test
        void theClientWritesAGuestFileWhoseBytesReadBackExactly() {
            byte[] data = "{\"policy\": 1}\n\u00e9".getBytes(StandardCharsets.UTF_8);
            client().writeFile("/tmp/contract-file", data);

            ExecResult r = client().run(EXCHANGE_TIMEOUT, "cat", "/tmp/contract-file");

            assertEquals(new String(data, StandardCharsets.UTF_8), r.out());
        }
    }

    // ------------------------------------------------------------------------------------------ refusals

    @Nested
    class Refusals {
        @AfterEach
        void restore() throws Exception {
            restoreAgent();
        }

        @Test
        void anUnknownCommandIsCommandNotFoundNamingIt() throws Exception {
            String reply = exchange(20, "{\"execute\":\"guest-no-such-thing\"}").reply;

            assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command guest-no-such-thing has not"
                    + " been found\"}}", reply);
            assertEquals(AgentErrorKind.UNSUPPORTED, kindOf(reply));
        }

        @Test
        void aBlockedCommandIsDisabledAndTheOthersStillAnswer() throws Exception {
            blockRpcs("guest-get-osinfo");

            assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Command guest-get-osinfo has been"
                    + " disabled\"}}", exchange(21, "{\"execute\":\"guest-get-osinfo\"}").reply);
            AgentErrorException e = assertThrows(AgentErrorException.class, () -> client().osInfo());
            assertEquals(AgentErrorKind.DISABLED, e.kind());
            client().ping();
        }

        @Test
        void withoutHwclockSetTimeIsUnsupportedAndLeavesTheClockAlone() throws Exception {
            removeHwclock();
            long before = client().getTimeNanos();

            assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"this feature or command is not currently"
                    + " supported\"}}",
                    exchange(22, "{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":" + TARGET_NS + "}}").reply);
            AgentErrorException e = assertThrows(AgentErrorException.class, () -> client().setTimeNanos(() -> TARGET_NS));
            assertEquals(AgentErrorKind.UNSUPPORTED, e.kind());
            long after = client().getTimeNanos();
            assertTrue(Math.abs(after - before) < TimeUnit.HOURS.toNanos(1), "clock moved: " + before + " -> " + after);
        }

        @Test
        void whenHwclockFailsTheSystemTimeIsAlreadySetAndTheErrorSaysHardwareClock() throws Exception {
            breakRtc();
            long before = elapsedNanos();

            assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"hwclock failed to set hardware clock to"
                    + " system time\"}}",
                    exchange(28, "{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":" + TARGET_NS + "}}").reply);
            long guest = client().getTimeNanos();
            assertSetNear(TARGET_NS, guest, elapsedNanos() - before);
            AgentErrorException e = assertThrows(AgentErrorException.class, () -> client().setTimeNanos(() -> TARGET_NS));
            assertEquals(AgentErrorKind.HARDWARE_CLOCK, e.kind());
        }

        /**
         * The test VM's guest has no freezable filesystem (an initramfs), so qemu-ga 7.2 answers the freeze
         * with a count of 0 and does not enter its frozen state; the FROZEN refusal itself is therefore
         * only modelled by the fake ({@code FakeQemuGa#frozenFilesystems}), from qemu's sources.
         */
        @Test
        void freezingAGuestWithNothingToFreezeAnswersZeroAndLeavesTheAgentAnswering() throws Exception {
            assertEquals("{\"return\": 0}", exchange(23, "{\"execute\":\"guest-fsfreeze-freeze\"}").reply);

            assertEquals("{\"return\": \"thawed\"}", exchange(24, "{\"execute\":\"guest-fsfreeze-status\"}").reply);
            client().getTimeNanos();
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** The classifier's verdict on an {"error"} reply line. */
    @SuppressWarnings("unchecked")
    private static AgentErrorKind kindOf(String reply) {
        java.util.Map<String, Object> e = (java.util.Map<String, Object>)
                ((java.util.Map<String, Object>) io.timeshift.common.json.LightJson.parsePlain(reply)).get("error");
        return io.timeshift.pve.qga.AgentErrors.classify((String) e.get("class"), (String) e.get("desc"));
    }

    private static void assertSetNear(long target, long guest, long elapsedNanos) {
        long error = guest - target;
        assertTrue(error >= -SET_SLACK_NANOS && error <= elapsedNanos + SET_SLACK_NANOS,
                "guest " + guest + " vs target " + target + " (error " + error + " ns, " + elapsedNanos + " ns elapsed)");
    }

    private String pollExited(long pid) throws Exception {
        long deadline = System.nanoTime() + EXCHANGE_TIMEOUT.toNanos();
        for (int i = 0; ; i++) {
            String st = exchange(1000 + i, "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":" + pid + "}}").reply;
            if (!st.contains("\"exited\": false")) {
                return st;
            }
            assertTrue(System.nanoTime() < deadline, "pid " + pid + " still running: " + st);
            Thread.sleep(20);
        }
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1.newEncoder().canEncode(s) ? StandardCharsets.ISO_8859_1
                : StandardCharsets.UTF_8);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** One byte-level exchange: what came back from the sentinel through the sync reply, then the next line. */
    protected record Raw(byte[] syncReply, String reply) {
        @Override
        public String toString() {
            return "sync reply " + new String(syncReply, StandardCharsets.ISO_8859_1).replace("\n", "\\n") + ", reply " + reply;
        }
    }

    /** The Proxmox exchange written out: sync with {@code id} and {@code command} in one write, on a fresh connection. */
    protected Raw exchange(long id, String command) throws IOException {
        try (QgaConnection c = connector().open(EXCHANGE_TIMEOUT.toNanos())) {
            c.write(bytes("{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":" + id + "}}\n" + command + "\n"));
            Reader in = new Reader(c);
            byte[] sync = in.untilSync(id);
            return new Raw(sync, in.line());
        }
    }

    /** Reads a connection on a real deadline; a fake connection never makes it wait. */
    protected static final class Reader {
        private final QgaConnection conn;
        private final long deadline = System.nanoTime() + EXCHANGE_TIMEOUT.toNanos();
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        Reader(QgaConnection conn) {
            this.conn = conn;
        }

        /** Skips to the 0xFF that starts our sync reply; returns 0xFF + that reply's line, newline included. */
        byte[] untilSync(long id) throws IOException {
            byte[] want = bytes("{\"return\": " + id + "}");
            while (true) {
                byte[] b = pending.toByteArray();
                int ff = -1;
                for (int i = 0; i < b.length; i++) {
                    if (b[i] == (byte) 0xFF) {
                        ff = i;
                    }
                }
                if (ff >= 0) {
                    int nl = indexOf(b, (byte) '\n', ff);
                    if (nl > 0) {
                        byte[] line = java.util.Arrays.copyOfRange(b, ff, nl + 1);
                        keep(b, nl + 1);
                        if (java.util.Arrays.equals(java.util.Arrays.copyOfRange(line, 1, line.length - 1), want)) {
                            return line;
                        }
                        continue; // a stale sync reply of another exchange
                    }
                }
                fill();
            }
        }

        /** The next complete line, without its newline (a CR before it is kept: it would be a wire difference). */
        String line() throws IOException {
            while (true) {
                byte[] b = pending.toByteArray();
                int nl = indexOf(b, (byte) '\n', 0);
                if (nl >= 0) {
                    keep(b, nl + 1);
                    return new String(b, 0, nl, StandardCharsets.UTF_8);
                }
                fill();
            }
        }

        private void keep(byte[] b, int from) {
            pending.reset();
            pending.write(b, from, b.length - from);
        }

        private void fill() throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            for (int spins = 0; ; spins++) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || spins > 100_000) {
                    throw new IOException("no complete reply within " + EXCHANGE_TIMEOUT + "; got so far: "
                            + new String(pending.toByteArray(), StandardCharsets.ISO_8859_1));
                }
                int n = conn.read(buf, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
                if (n < 0) {
                    throw new IOException("agent closed the connection; got so far: "
                            + new String(pending.toByteArray(), StandardCharsets.ISO_8859_1));
                }
                if (n > 0) {
                    pending.write(buf.array(), 0, n);
                    return;
                }
            }
        }

        private static int indexOf(byte[] b, byte x, int from) {
            for (int i = from; i < b.length; i++) {
                if (b[i] == x) {
                    return i;
                }
            }
            return -1;
        }
    }
}

package io.timeshift.pve.qga;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Against a real unix socket: a tiny in-test server imitating qemu-ga's framing proves that
 * {@link UnixSocketQgaConnector} moves bytes, times out, sees EOF and closes its channel.
 * Timeouts here are short real waits (≤ 300 ms); the protocol logic is tested with fakes elsewhere.
 */
@Timeout(20)
class UnixSocketQgaConnectorTest {
    private static final Pattern SYNC_ID = Pattern.compile("\"guest-sync-delimited\",\"arguments\":\\{\"id\":(\\d+)}");

    @TempDir
    Path dir;

    private Path socket;
    private ServerSocketChannel server;
    private ExecutorService pool;

    @BeforeEach
    void setUp() throws IOException {
        socket = dir.resolve("105.qga");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fake-qemu-ga");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterEach
    void tearDown() throws IOException {
        pool.shutdownNow();
        server.close();
    }

    /** Reads from the client until {@code lines} newlines have arrived; returns the text. */
    private static String readLines(SocketChannel ch, int lines) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        int seen = 0;
        while (seen < lines) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                byte b = buf.get(i);
                got.write(b);
                if (b == '\n') {
                    seen++;
                }
            }
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    /** Reads until the client closes; returns true if EOF came. */
    private static boolean drainUntilEof(SocketChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (true) {
            buf.clear();
            if (ch.read(buf) < 0) {
                return true;
            }
        }
    }

    /** qemu-ga in one connection: answer the sync (0xFF + echo of the id) and the command. */
    private Future<List<String>> serveOnce(String commandReply, BlockingQueue<String> events) {
        return pool.submit(() -> {
            List<String> frames = new ArrayList<>();
            try (SocketChannel ch = server.accept()) {
                String request = readLines(ch, 2);
                frames.add(request);
                Matcher m = SYNC_ID.matcher(request);
                assertTrue(m.find(), request);
                // a stale reply first, as a previous client could have left behind
                byte[] stale = ScriptedQgaConnection.syncReplyBytes(1);
                byte[] ours = ScriptedQgaConnection.syncReplyBytes(Long.parseLong(m.group(1)));
                ch.write(ByteBuffer.wrap(stale));
                ch.write(ByteBuffer.wrap(ours));
                ch.write(ByteBuffer.wrap((commandReply + "\n").getBytes(StandardCharsets.UTF_8)));
                if (drainUntilEof(ch)) {
                    events.add("client closed");
                }
            }
            return frames;
        });
    }

    @Nested
    class ThroughTheClient {
        @Test
        void getTimeOverARealSocketAndTheClientClosesItsChannel() throws Exception {
            BlockingQueue<String> events = new LinkedBlockingQueue<>();
            Future<List<String>> served = serveOnce("{\"return\": 1614600000123456789}", events);

            long t = QgaClient.forSocket(105, socket).getTimeNanos();

            assertEquals(1614600000123456789L, t);
            List<String> frames = served.get(5, TimeUnit.SECONDS);
            assertTrue(frames.get(0).endsWith("}}\n{\"execute\":\"guest-get-time\"}\n"), frames.get(0));
            assertEquals("client closed", events.poll(5, TimeUnit.SECONDS));
        }

        @Test
        void forSocketSendsARandomPositiveIntSyncId() throws Exception {
            Future<List<String>> served = serveOnce("{\"return\": {}}", new LinkedBlockingQueue<>());

            QgaClient.forSocket(105, socket).ping();

            Matcher m = SYNC_ID.matcher(served.get(5, TimeUnit.SECONDS).get(0));
            assertTrue(m.find());
            long id = Long.parseLong(m.group(1));
            assertTrue(id >= 1 && id <= Integer.MAX_VALUE, "id " + id);
        }

        @Test
        void agentThatAcceptsButNeverAnswersTimesOut() throws Exception {
            pool.submit(() -> {
                try (SocketChannel ch = server.accept()) {
                    drainUntilEof(ch);
                }
                return null;
            });

            AgentNotAnsweringException e = assertThrows(AgentNotAnsweringException.class,
                    () -> QgaClient.forSocket(105, socket).withTimeout(Duration.ofMillis(300)).ping());

            assertEquals("VM 105: guest agent did not answer guest-ping within 300 ms "
                    + "(is qemu-guest-agent running in the guest?)", e.getMessage());
        }

        @Test
        void agentThatClosesMidReplyIsAProtocolError() throws Exception {
            pool.submit(() -> {
                try (SocketChannel ch = server.accept()) {
                    String request = readLines(ch, 2);
                    Matcher m = SYNC_ID.matcher(request);
                    assertTrue(m.find());
                    ch.write(ByteBuffer.wrap(ScriptedQgaConnection.syncReplyBytes(Long.parseLong(m.group(1)))));
                    ch.write(ByteBuffer.wrap("{\"return\": 16".getBytes(StandardCharsets.UTF_8)));
                }
                return null;
            });

            assertThrows(AgentProtocolException.class, () -> QgaClient.forSocket(105, socket).getTimeNanos());
        }

        @Test
        void missingSocketMeansTheVmIsNotRunning() {
            Path missing = dir.resolve("999.qga");

            VmNotRunningException e = assertThrows(VmNotRunningException.class,
                    () -> QgaClient.forSocket(999, missing).ping());

            assertEquals("VM 999 is not running or has no guest agent configured (no agent socket at "
                    + missing + ")", e.getMessage());
        }

        @Test
        void staleSocketFileWithoutListenerMeansTheVmIsNotRunning() throws IOException {
            server.close(); // the file stays, nobody listens (QEMU crashed)
            assertTrue(Files.exists(socket));

            VmNotRunningException e = assertThrows(VmNotRunningException.class,
                    () -> QgaClient.forSocket(105, socket).ping());

            assertTrue(e.getMessage().endsWith("(agent socket: " + socket + " refused the connection)"),
                    e.getMessage());
        }
    }

    @Nested
    class ConnectionItself {
        @Test
        void readsBytesTimesOutWithZeroAndSeesEof() throws Exception {
            BlockingQueue<String> events = new LinkedBlockingQueue<>();
            BlockingQueue<String> commands = new LinkedBlockingQueue<>();
            Future<?> peer = pool.submit(() -> {
                try (SocketChannel ch = server.accept()) {
                    events.add(readLines(ch, 1));
                    ch.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
                    commands.take(); // wait for "close now"
                }
                return null;
            });
            UnixSocketQgaConnector connector = new UnixSocketQgaConnector(socket);

            try (QgaConnection c = connector.open(TimeUnit.SECONDS.toNanos(2))) {
                c.write("ping\n".getBytes(StandardCharsets.US_ASCII), TimeUnit.SECONDS.toNanos(2));
                assertEquals("ping\n", events.poll(5, TimeUnit.SECONDS));

                ByteBuffer buf = ByteBuffer.allocate(64);
                while (buf.position() < 5) {
                    assertTrue(c.read(buf, TimeUnit.SECONDS.toNanos(2)) >= 0);
                }
                assertEquals("hello", new String(buf.array(), 0, 5, StandardCharsets.US_ASCII));

                long start = System.nanoTime();
                assertEquals(0, c.read(buf, TimeUnit.MILLISECONDS.toNanos(50)), "nothing more: timeout");
                assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(40));

                commands.add("close now");
                peer.get(5, TimeUnit.SECONDS);
                int n;
                do {
                    n = c.read(buf, TimeUnit.SECONDS.toNanos(2));
                } while (n == 0);
                assertEquals(-1, n, "EOF after the peer closed");
            }
        }

        @Test
        void closeFreesTheAgentsSingleSlot() throws Exception {
            BlockingQueue<String> events = new LinkedBlockingQueue<>();
            pool.submit(() -> {
                try (SocketChannel ch = server.accept()) {
                    if (drainUntilEof(ch)) {
                        events.add("eof");
                    }
                }
                return null;
            });

            new UnixSocketQgaConnector(socket).open().close();

            assertEquals("eof", events.poll(5, TimeUnit.SECONDS));
        }

        @Test
        void missingSocketIsNoSuchFile() {
            NoSuchFileException e = assertThrows(NoSuchFileException.class,
                    () -> new UnixSocketQgaConnector(dir.resolve("nope.qga")).open());

            assertEquals(dir.resolve("nope.qga").toString(), e.getFile());
        }

        @Test
        void socketWhoseBacklogIsFullTimesOutInsteadOfBlocking() throws Exception {
            // Nobody accepts: fill the backlog with non-blocking connects until Linux says EAGAIN.
            server.close();
            Files.deleteIfExists(socket);
            List<SocketChannel> held = new ArrayList<>();
            try (ServerSocketChannel busy = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                busy.bind(UnixDomainSocketAddress.of(socket), 1);
                boolean full = false;
                for (int i = 0; i < 64 && !full; i++) {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    ch.configureBlocking(false);
                    try {
                        ch.connect(UnixDomainSocketAddress.of(socket));
                        held.add(ch);
                    } catch (IOException e) {
                        full = true;
                    }
                }
                assertTrue(full, "Linux reports EAGAIN for a non-blocking connect to a full unix-socket backlog");

                long start = System.nanoTime();
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                        () -> new UnixSocketQgaConnector(socket).open(TimeUnit.MILLISECONDS.toNanos(100)));

                assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(90));
                assertTrue(e.getMessage().contains("stayed busy"), e.getMessage());
            } finally {
                for (SocketChannel ch : held) {
                    ch.close();
                }
            }
        }
    }
}

package io.timeshift.pve.qga;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writing to a real unix socket: an agent that stops reading (a wedged qemu-ga with a full channel) makes
 * a write give up at its deadline instead of blocking the hook, and a write that fits goes out whole.
 */
@Timeout(20)
class UnixSocketQgaConnectorWriteTest {
    @TempDir
    Path dir;

    private Path socket;
    private ServerSocketChannel server;

    @BeforeEach
    void listen() throws IOException {
        socket = dir.resolve("105.qga");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Nested
    class AnAgentThatStopsReading {
        @Test
        void aWriteLargerThanTheSocketBuffersGivesUpAtItsDeadline() throws Exception {
            UnixSocketQgaConnector connector = new UnixSocketQgaConnector(socket);
            try (QgaConnection c = connector.open(TimeUnit.SECONDS.toNanos(2));
                 SocketChannel peer = server.accept()) {
                byte[] big = new byte[16 << 20]; // far beyond any unix socket buffer
                long start = System.nanoTime();

                SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                        () -> c.write(big, TimeUnit.MILLISECONDS.toNanos(400)));

                long waited = System.nanoTime() - start;
                assertEquals("writing to " + socket + " stalled (the agent is not reading)", e.getMessage());
                assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(390), "gave up after " + waited + " ns");
                assertTrue(peer.isOpen());
            }
        }
    }

    @Nested
    class AWriteThatFits {
        @Test
        void goesOutWholeWithTheDefaultLimit() throws Exception {
            UnixSocketQgaConnector connector = new UnixSocketQgaConnector(socket);
            try (QgaConnection c = connector.open(); SocketChannel peer = server.accept()) {
                c.write("{\"execute\":\"guest-ping\"}\n".getBytes(StandardCharsets.UTF_8));

                ByteArrayOutputStream got = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(256);
                while (!got.toString(StandardCharsets.UTF_8).endsWith("\n")) {
                    buf.clear();
                    int n = peer.read(buf);
                    assertTrue(n > 0);
                    got.write(buf.array(), 0, n);
                }
                assertEquals("{\"execute\":\"guest-ping\"}\n", got.toString(StandardCharsets.UTF_8));
            }
        }

        @Test
        void theConnectorNamesItsSocket() {
            UnixSocketQgaConnector connector = new UnixSocketQgaConnector(socket);

            assertEquals(socket, connector.socket());
            assertEquals("UnixSocketQgaConnector[" + socket + "]", connector.toString());
        }
    }
}

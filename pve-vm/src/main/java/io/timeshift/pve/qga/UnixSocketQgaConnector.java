package io.timeshift.pve.qga;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Connects to a guest agent's unix socket ({@code /var/run/qemu-server/<vmid>.qga} on Proxmox) with
 * the JDK's own {@link SocketChannel} + {@link UnixDomainSocketAddress} (JEP 380): no JNI, no extra
 * library. Reads wait on a {@link Selector} with a timeout; {@link QgaConnection#close()} closes the
 * channel, which frees QEMU's single client slot at once (docs/real-vm.md pitfall 9).
 *
 * <p>Connecting is non-blocking: when QEMU's listen backlog is full (another client holds the agent),
 * Linux answers EAGAIN instead of blocking, and this connector retries every few milliseconds until
 * the timeout, as Proxmox's {@code QMPClient} does on EAGAIN. Errors are translated into the JDK types
 * {@link QgaConnector} documents, so {@link QgaClient} can classify them without parsing messages:
 * the JDK reports a missing socket file as a plain {@link SocketException} with the OS message, so
 * this class checks the file first and falls back to the (C-locale) message only for races.
 *
 * <p>Thread-safe: each {@link #open} returns an independent connection.
 */
public final class UnixSocketQgaConnector implements QgaConnector {
    private static final long CONNECT_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Path socket;

    public UnixSocketQgaConnector(Path socket) {
        this.socket = Objects.requireNonNull(socket, "socket");
    }

    public Path socket() {
        return socket;
    }

    /** Opens with {@link QgaClient#DEFAULT_TIMEOUT} as the limit for a busy socket. */
    @Override
    public QgaConnection open() throws IOException {
        return open(QgaClient.DEFAULT_TIMEOUT.toNanos());
    }

    @Override
    public QgaConnection open(long timeoutNanos) throws IOException {
        if (Files.notExists(socket)) {
            throw new NoSuchFileException(socket.toString());
        }
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        long start = System.nanoTime();
        while (true) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.configureBlocking(false);
                if (!channel.connect(address)) {
                    // Linux never reports EINPROGRESS for AF_UNIX, but honour the API contract.
                    finishConnect(channel, timeoutNanos - (System.nanoTime() - start));
                }
                return new Connection(channel, socket);
            } catch (IOException e) {
                closeQuietly(channel);
                IOException classified = classify(e);
                if (classified != null) {
                    throw classified;
                }
                // EAGAIN: the backlog is full. Retry until the timeout.
                long remaining = timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0) {
                    SocketTimeoutException t = new SocketTimeoutException(
                            "agent socket " + socket + " stayed busy (another client is connected)");
                    t.initCause(e);
                    throw t;
                }
                sleep(Math.min(CONNECT_RETRY_NANOS, remaining));
            }
        }
    }

    private void finishConnect(SocketChannel channel, long timeoutNanos) throws IOException {
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_CONNECT);
            long start = System.nanoTime();
            while (!channel.finishConnect()) {
                long remaining = timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0) {
                    throw new SocketTimeoutException("connect to " + socket + " timed out");
                }
                selector.select(toMillis(remaining));
                selector.selectedKeys().clear();
            }
        }
    }

    /** Maps a connect failure to the documented JDK types; null means "busy, retry". */
    private IOException classify(IOException e) {
        if (e instanceof ConnectException) {
            return withCause(new ConnectException(socket + " refused the connection"), e);
        }
        if (e instanceof SocketTimeoutException || e instanceof NoSuchFileException
                || e instanceof AccessDeniedException) {
            return e;
        }
        String msg = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (msg.contains("no such file")) {
            return withCause(new NoSuchFileException(socket.toString()), e);
        }
        if (msg.contains("permission denied") || msg.contains("operation not permitted")) {
            return withCause(new AccessDeniedException(socket.toString(), null, "permission denied"), e);
        }
        if (msg.contains("temporarily unavailable") || msg.contains("try again")) {
            return null;
        }
        if (!Files.exists(socket)) {
            return withCause(new NoSuchFileException(socket.toString()), e);
        }
        return e;
    }

    private static <T extends IOException> T withCause(T e, Throwable cause) {
        e.initCause(cause);
        return e;
    }

    private static void sleep(long nanos) throws IOException {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while connecting to the guest agent");
        }
    }

    static long toMillis(long nanos) {
        // Round up so a tiny remainder still waits, and never pass 0 (= forever) to select.
        return Math.max(1, (nanos + 999_999) / 1_000_000);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing a socket that failed to connect cannot lose data; the connect error wins.
        }
    }

    @Override
    public String toString() {
        return "UnixSocketQgaConnector[" + socket + "]";
    }

    /** One open channel; reads and writes wait on a private selector. */
    private static final class Connection implements QgaConnection {
        private final SocketChannel channel;
        private final Path socket;
        private final Selector selector;
        private final SelectionKey key;

        Connection(SocketChannel channel, Path socket) throws IOException {
            this.channel = channel;
            this.socket = socket;
            Selector s = Selector.open();
            try {
                this.key = channel.register(s, 0);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
            this.selector = s;
        }

        @Override
        public void write(byte[] bytes) throws IOException {
            write(bytes, QgaClient.DEFAULT_TIMEOUT.toNanos());
        }

        @Override
        public void write(byte[] bytes, long timeoutNanos) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            long start = System.nanoTime();
            while (buf.hasRemaining()) {
                if (channel.write(buf) > 0) {
                    continue;
                }
                long remaining = timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0) {
                    throw new SocketTimeoutException("writing to " + socket + " stalled (the agent is not reading)");
                }
                key.interestOps(SelectionKey.OP_WRITE);
                selector.select(toMillis(remaining));
                selector.selectedKeys().clear();
            }
        }

        @Override
        public int read(ByteBuffer dst, long timeoutNanos) throws IOException {
            int n = channel.read(dst);
            if (n != 0 || timeoutNanos <= 0) {
                return n;
            }
            key.interestOps(SelectionKey.OP_READ);
            selector.select(toMillis(timeoutNanos));
            selector.selectedKeys().clear();
            return channel.read(dst);
        }

        @Override
        public void close() throws IOException {
            try {
                selector.close();
            } finally {
                channel.close();
            }
        }
    }
}

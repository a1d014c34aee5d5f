package io.timeshift.host.demo;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A unix-socket client connection with deadline-bounded reads (JDK only: SocketChannel + Selector).
 * QEMU's chardev and QMP sockets serve ONE client at a time (docs/real-vm.md pitfall 9), so callers keep
 * an instance only for one exchange and close it.
 */
public final class UnixLines implements AutoCloseable {
    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private UnixLines(SocketChannel channel, Selector selector) {
        this.channel = channel;
        this.selector = selector;
    }

    public static UnixLines connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            Selector sel = Selector.open();
            ch.register(sel, SelectionKey.OP_READ);
            return new UnixLines(ch, sel);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    public void write(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        // non-blocking write: the peer's buffer is large compared with our requests; spin briefly
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new SocketTimeoutException("write to unix socket timed out");
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Bytes up to (not including) {@code delimiter}; the delimiter is consumed.
     * @throws SocketTimeoutException at the deadline (System.nanoTime based)
     * @throws EOFException if the peer closed first
     */
    public byte[] readUntil(byte delimiter, long deadlineNanos) throws IOException {
        while (true) {
            byte[] have = pending.toByteArray();
            for (int i = 0; i < have.length; i++) {
                if (have[i] == delimiter) {
                    pending.reset();
                    pending.write(have, i + 1, have.length - i - 1);
                    byte[] out = new byte[i];
                    System.arraycopy(have, 0, out, 0, i);
                    return out;
                }
            }
            fill(deadlineNanos);
        }
    }

    /** One line (UTF-8, without the trailing "\n" and a "\r" before it). */
    public String readLine(long deadlineNanos) throws IOException {
        String s = new String(readUntil((byte) '\n', deadlineNanos), StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private void fill(long deadlineNanos) throws IOException {
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("no answer on the unix socket in time");
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            in.clear();
            int n = channel.read(in);
            if (n < 0) {
                throw new EOFException("the unix socket was closed by the peer");
            }
            if (n > 0) {
                pending.write(in.array(), 0, n);
                return;
            }
        }
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

package io.timeshift.pve.qga;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One connection to a guest agent socket, used for exactly one exchange (sync + command) and then
 * closed: QEMU's chardev serves one client at a time (docs/real-vm.md pitfall 9), so a connection kept
 * open blocks every other client, Proxmox's own included.
 *
 * <p>Not thread-safe; {@link QgaClient} uses a connection from one thread only.
 */
public interface QgaConnection extends Closeable {
    /** Writes all of {@code bytes}. */
    void write(byte[] bytes) throws IOException;

    /**
     * Writes all of {@code bytes}, waiting at most {@code timeoutNanos} for the peer to take them.
     * The default ignores the limit (fine for fakes and for frames that fit the socket buffer);
     * {@link UnixSocketQgaConnector} honours it.
     *
     * @throws java.net.SocketTimeoutException if the bytes could not be written in time
     */
    default void write(byte[] bytes, long timeoutNanos) throws IOException {
        write(bytes);
    }

    /**
     * Reads available bytes into dst, waiting at most timeoutNanos; returns bytes read, 0 on timeout,
     * -1 on EOF. May return 0 before the timeout has fully elapsed (spurious wake-up); callers loop on
     * their own deadline. {@code dst} must have space remaining.
     */
    int read(ByteBuffer dst, long timeoutNanos) throws IOException;
}

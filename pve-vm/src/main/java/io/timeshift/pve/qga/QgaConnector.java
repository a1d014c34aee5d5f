package io.timeshift.pve.qga;

import java.io.IOException;

/**
 * Opens a fresh {@link QgaConnection} per exchange. The production implementation is
 * {@link UnixSocketQgaConnector}; tests inject scripted fakes.
 *
 * <p>{@link QgaClient} classifies these exceptions from {@code open}:
 * <ul>
 *   <li>{@link java.nio.file.NoSuchFileException} (message/file: the socket path) and
 *       {@link java.net.ConnectException} (connection refused) → {@link VmNotRunningException};</li>
 *   <li>{@link java.nio.file.AccessDeniedException} → {@link io.timeshift.common.error.EnvironmentException}
 *       telling the user to run as root;</li>
 *   <li>{@link java.net.SocketTimeoutException} (socket stayed busy) → {@link AgentNotAnsweringException};</li>
 *   <li>any other {@link IOException} → {@link AgentNotAnsweringException} with the cause.</li>
 * </ul>
 */
@FunctionalInterface
public interface QgaConnector {
    QgaConnection open() throws IOException;

    /**
     * Opens a connection, giving up after {@code timeoutNanos} if the socket stays busy. The default
     * ignores the limit; {@link UnixSocketQgaConnector} honours it.
     *
     * @throws java.net.SocketTimeoutException if no connection could be made in time
     */
    default QgaConnection open(long timeoutNanos) throws IOException {
        return open();
    }
}

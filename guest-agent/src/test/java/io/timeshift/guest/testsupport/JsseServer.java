package io.timeshift.guest.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A JSSE {@link SSLServerSocket} on a loopback port, with explicit protocols and client-auth
 * setting, plus two non-TLS servers: one that accepts and never speaks, and one that answers HTTP.
 * Each connection is served on its own daemon thread until the client goes away.
 */
public final class JsseServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread acceptor;

    private JsseServer(ServerSocket socket, Handler handler) {
        this.socket = socket;
        this.acceptor = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    Thread t = new Thread(() -> {
                        try (s) {
                            handler.serve(s);
                        } catch (IOException | RuntimeException e) {
                            // a probe drops connections mid-handshake on purpose
                        }
                    }, "jsse-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "jsse-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    interface Handler {
        void serve(Socket s) throws IOException;
    }

    /** A TLS server; {@code needClientAuth} makes it refuse clients without a certificate. */
    public static JsseServer tls(KeyStore keys, char[] password, String[] protocols, boolean needClientAuth) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            ss.setEnabledProtocols(protocols);
            ss.setNeedClientAuth(needClientAuth);
            return new JsseServer(ss, s -> {
                ((SSLSocket) s).startHandshake();
                drain(s.getInputStream());
            });
        } catch (Exception e) {
            throw new AssertionError("JSSE server", e);
        }
    }

    /** Accepts TCP connections and never sends a byte. */
    public static JsseServer silent() {
        return plain(s -> drain(s.getInputStream()));
    }

    /** Answers whatever arrives with an HTTP error, like a plain-HTTP port would. */
    public static JsseServer http() {
        return plain(s -> {
            s.getInputStream().read();
            s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes());
            s.getOutputStream().flush();
        });
    }

    private static JsseServer plain(Handler h) {
        try {
            return new JsseServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), h);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] b = new byte[4096];
        while (in.read(b) >= 0) {
            // discard
        }
    }

    /** A port nothing listens on (bound, then released). */
    public static int refusedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public String target() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}

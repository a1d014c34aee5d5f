package io.timeshift.guest.tls;

import io.timeshift.common.time.Deadline;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * One raw ClientHello over a plain socket, and the server's answer read up to ServerHelloDone.
 * TLS 1.0-1.2 send ServerHello, Certificate, ServerKeyExchange, CertificateRequest and
 * ServerHelloDone in clear, so the chain, the chosen suite, the DH group size and the client
 * certificate request are all visible without completing the handshake. For TLS 1.3 only the
 * ServerHello is clear: it tells whether 1.3 is accepted and which suite was chosen.
 *
 * <p>When the server asks for a client certificate, the same connection is used to find out whether
 * it insists: we send an empty Certificate followed by a Finished the server cannot expect yet.
 * A server that refuses the empty certificate answers with handshake_failure (OpenSSL),
 * bad_certificate, no_certificate or certificate_required before it reads on; one that accepts it
 * complains about the Finished (unexpected_message). Not thread-safe; one instance per attempt.
 */
final class RawHandshake {
    private static final byte[] HRR_RANDOM = HexFormat.of().parseHex(
            "CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");
    private static final int MAX_RECORD = 16384 + 2048;
    private static final int MAX_FLIGHT = 512 * 1024;

    enum Kind { SERVER_HELLO, ALERT, CLOSED, TIMEOUT, NOT_TLS, CONNECT_FAILED }

    /**
     * @param serverVersion negotiated version code (from supported_versions for 1.3), 0 if none
     * @param certificates  DER certificates, leaf first (TLS &lt;= 1.2 only)
     * @param clientCertRejected true/false after the empty-certificate test, null when not tested or unclear
     */
    record Outcome(Kind kind, TlsVersion asked, int serverVersion, int suite, List<byte[]> certificates,
                   boolean certificateRequested, Integer dhBits, int alert, String detail, Boolean clientCertRejected) {
        boolean accepted() {
            return kind == Kind.SERVER_HELLO && serverVersion == asked.code();
        }

        /** Any TLS-shaped answer: a ServerHello of any version or an alert. */
        boolean spokeTls() {
            return kind == Kind.SERVER_HELLO || kind == Kind.ALERT;
        }
    }

    private final InetSocketAddress address;
    private final String sniHost;
    private final Random random;

    RawHandshake(InetSocketAddress address, String sniHost, Random random) {
        this.address = address;
        this.sniHost = sniHost;
        this.random = random;
    }

    Outcome attempt(TlsVersion version, List<Integer> suites, Deadline deadline, Duration cap) {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(address, deadline.remainingMillisForSocket(cap));
            } catch (SocketTimeoutException e) {
                return failed(Kind.CONNECT_FAILED, version, "TCP connect timed out");
            } catch (ConnectException e) {
                return failed(Kind.CONNECT_FAILED, version, "connection refused");
            } catch (NoRouteToHostException e) {
                return failed(Kind.CONNECT_FAILED, version, "no route to host");
            } catch (IOException e) {
                return failed(Kind.CONNECT_FAILED, version, "TCP connect failed: " + e.getMessage());
            }
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            out.write(ClientHello.build(version, suites, sniHost, random));
            out.flush();
            return new Reader(socket, socket.getInputStream(), out, version, deadline, cap).read();
        } catch (IOException e) {
            return failed(Kind.CLOSED, version, "connection failed: " + e.getMessage());
        }
    }

    private static Outcome failed(Kind kind, TlsVersion version, String detail) {
        return new Outcome(kind, version, 0, -1, List.of(), false, null, -1, detail, null);
    }

    /** Reads records and handshake messages of one server flight. */
    private static final class Reader {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final TlsVersion asked;
        private final Deadline deadline;
        private final Duration cap;
        private final ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        private int handshakeConsumed;
        private int serverVersion;
        private int recordVersion;
        private int suite = -1;
        private boolean serverHello;
        private final List<byte[]> certificates = new ArrayList<>();
        private boolean certificateRequested;
        private Integer dhBits;

        Reader(Socket socket, InputStream in, OutputStream out, TlsVersion asked, Deadline deadline, Duration cap) {
            this.socket = socket;
            this.in = in;
            this.out = out;
            this.asked = asked;
            this.deadline = deadline;
            this.cap = cap;
        }

        Outcome read() throws IOException {
            try {
                while (true) {
                    byte[] header = new byte[5];
                    socket.setSoTimeout(deadline.remainingMillisForSocket(cap));
                    int first = in.read();
                    if (first < 0) {
                        return partialOr(Kind.CLOSED, "closed the connection without a TLS answer");
                    }
                    header[0] = (byte) first;
                    readFully(header, 1, 4);
                    int type = header[0] & 0xFF;
                    int major = header[1] & 0xFF;
                    int length = ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
                    if (type < 20 || type > 23 || major != 3 || length > MAX_RECORD) {
                        return partialOr(Kind.NOT_TLS, "not a TLS server: it answered '" + printable(header) + "...'");
                    }
                    recordVersion = ((header[1] & 0xFF) << 8) | (header[2] & 0xFF);
                    byte[] payload = new byte[length];
                    readFully(payload, 0, length);
                    if (type == 21) {
                        int desc = length >= 2 ? payload[1] & 0xFF : -1;
                        if (serverHello) {
                            return outcome("alert " + Alerts.name(desc) + " after ServerHello", null);
                        }
                        return new Outcome(Kind.ALERT, asked, 0, -1, List.of(), false, null, desc,
                                "alert " + Alerts.name(desc), null);
                    }
                    if (type != 22) {
                        return partialOr(Kind.NOT_TLS, "unexpected TLS record type " + type + " before ServerHelloDone");
                    }
                    handshake.write(payload);
                    if (handshake.size() > MAX_FLIGHT) {
                        return partialOr(Kind.NOT_TLS, "server flight larger than " + MAX_FLIGHT + " bytes");
                    }
                    Outcome done = parseMessages();
                    if (done != null) {
                        return done;
                    }
                }
            } catch (SocketTimeoutException e) {
                return partialOr(Kind.TIMEOUT, "no TLS answer in time");
            } catch (EOFException e) {
                return partialOr(Kind.CLOSED, "closed the connection in the middle of a record");
            } catch (IOException e) {
                return partialOr(Kind.CLOSED, "connection reset (" + e.getMessage() + ")");
            }
        }

        /** @return the final outcome once ServerHelloDone (or a TLS 1.3 ServerHello) was seen, else null */
        private Outcome parseMessages() throws IOException {
            byte[] all = handshake.toByteArray();
            while (all.length - handshakeConsumed >= 4) {
                int p = handshakeConsumed;
                int msgType = all[p] & 0xFF;
                int len = ((all[p + 1] & 0xFF) << 16) | ((all[p + 2] & 0xFF) << 8) | (all[p + 3] & 0xFF);
                if (all.length - p - 4 < len) {
                    return null;
                }
                ByteBuffer body = ByteBuffer.wrap(all, p + 4, len).slice();
                handshakeConsumed = p + 4 + len;
                try {
                    switch (msgType) {
                        case 2 -> {
                            parseServerHello(body);
                            if (serverVersion == TlsVersion.TLSv1_3.code()) {
                                return outcome(null, null); // the rest of a 1.3 flight is encrypted
                            }
                        }
                        case 11 -> parseCertificates(body);
                        case 12 -> parseServerKeyExchange(body);
                        case 13 -> certificateRequested = true;
                        case 14 -> {
                            Boolean rejected = certificateRequested ? testEmptyCertificate() : null;
                            return outcome(null, rejected);
                        }
                        default -> {
                            // HelloRequest, CertificateStatus, ...: not needed
                        }
                    }
                } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
                    return partialOr(Kind.NOT_TLS, "malformed handshake message type " + msgType);
                }
                if (!serverHello) {
                    return partialOr(Kind.NOT_TLS, "handshake message type " + msgType + " before ServerHello");
                }
            }
            return null;
        }

        private void parseServerHello(ByteBuffer b) {
            serverHello = true;
            serverVersion = u16(b);
            byte[] random = new byte[32];
            b.get(random);
            int sidLen = b.get() & 0xFF;
            b.position(b.position() + sidLen);
            suite = u16(b);
            b.get(); // compression
            if (b.remaining() >= 2) {
                int extLen = u16(b);
                int end = b.position() + extLen;
                while (b.position() + 4 <= end) {
                    int type = u16(b);
                    int len = u16(b);
                    if (type == 0x002B && len == 2) {
                        serverVersion = u16(b); // supported_versions: the real version for TLS 1.3
                    } else {
                        b.position(b.position() + len);
                    }
                }
            }
            if (Arrays.equals(random, HRR_RANDOM) && serverVersion != TlsVersion.TLSv1_3.code()) {
                serverVersion = 0; // a HelloRetryRequest without supported_versions is malformed
            }
        }

        private void parseCertificates(ByteBuffer b) {
            int total = u24(b);
            int end = b.position() + total;
            while (b.position() + 3 <= end) {
                int len = u24(b);
                byte[] der = new byte[len];
                b.get(der);
                certificates.add(der);
            }
        }

        private void parseServerKeyExchange(ByteBuffer b) {
            if (suite >= 0 && CipherSuites.isDhe(CipherSuites.name(suite))) {
                int pLen = u16(b);
                byte[] p = new byte[pLen];
                b.get(p);
                dhBits = new BigInteger(1, p).bitLength();
            }
        }

        /**
         * The server requested a client certificate: answer with an empty one plus a premature
         * Finished and classify the alert that comes back.
         */
        private Boolean testEmptyCertificate() throws IOException {
            out.write(ClientHello.emptyCertificateThenBogusFinished(recordVersion == 0 ? asked.code() : recordVersion));
            out.flush();
            try {
                byte[] header = new byte[5];
                socket.setSoTimeout(deadline.remainingMillisForSocket(cap));
                readFully(header, 0, 5);
                int length = ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
                if ((header[0] & 0xFF) != 21 || length < 2 || length > MAX_RECORD) {
                    return null;
                }
                byte[] alert = new byte[length];
                readFully(alert, 0, length);
                return Alerts.rejectsClientCertificate(alert[1] & 0xFF);
            } catch (IOException e) {
                return null; // no alert in time or connection dropped: cannot tell
            }
        }

        private Outcome outcome(String detail, Boolean clientCertRejected) {
            return new Outcome(Kind.SERVER_HELLO, asked, serverVersion, suite, List.copyOf(certificates),
                    certificateRequested, dhBits, -1, detail, clientCertRejected);
        }

        private Outcome partialOr(Kind kind, String detail) {
            if (serverHello) {
                return outcome(detail, null);
            }
            return new Outcome(kind, asked, 0, -1, List.of(), false, null, -1, detail, null);
        }

        private void readFully(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                socket.setSoTimeout(deadline.remainingMillisForSocket(cap));
                int n = in.read(b, off, len);
                if (n < 0) {
                    throw new EOFException();
                }
                off += n;
                len -= n;
            }
        }

        private static int u16(ByteBuffer b) {
            return ((b.get() & 0xFF) << 8) | (b.get() & 0xFF);
        }

        private static int u24(ByteBuffer b) {
            return ((b.get() & 0xFF) << 16) | u16(b);
        }

        private static String printable(byte[] b) {
            StringBuilder s = new StringBuilder();
            for (byte x : b) {
                s.append(x >= 32 && x < 127 ? (char) x : '.');
            }
            return s.toString();
        }
    }
}

package io.timeshift.guest.tls;

import io.timeshift.common.time.Deadline;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A TLS 1.3 handshake through JSSE, for what the raw hello cannot see: TLS 1.3 encrypts the
 * Certificate and CertificateRequest. Each call builds its own {@link SSLContext} whose trust
 * manager <em>captures</em> the chain and accepts it for this one handshake only; it is never
 * installed as a default and the connection carries no application data. Its key manager records
 * whether the server asked for a client certificate and offers none.
 *
 * <p>An {@link X509ExtendedTrustManager} is used on purpose: JSSE wraps plain X509TrustManagers
 * with its own algorithm checks, which would abort on exactly the weak chains we want to read.
 */
final class JsseHandshake {
    record Result(boolean accepted, String suite, List<X509Certificate> chain, boolean clientCertRequested,
                  Boolean clientCertRejected, String detail) {
    }

    private JsseHandshake() {
    }

    static Result tls13(InetSocketAddress address, String sniHost, Deadline deadline, Duration cap) {
        CapturingTrust trust = new CapturingTrust();
        RecordingKeys keys = new RecordingKeys();
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLSv1.3");
            context.init(new KeyManager[] {keys}, new TrustManager[] {trust}, null);
        } catch (GeneralSecurityException e) {
            return new Result(false, null, List.of(), false, null, "JSSE cannot do TLS 1.3: " + e.getMessage());
        }
        try (Socket plain = new Socket()) {
            plain.connect(address, deadline.remainingMillisForSocket(cap));
            plain.setSoTimeout(deadline.remainingMillisForSocket(cap));
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory()
                    .createSocket(plain, address.getHostString(), address.getPort(), true)) {
                tls.setEnabledProtocols(new String[] {"TLSv1.3"});
                SSLParameters params = tls.getSSLParameters();
                params.setServerNames(sniHost == null ? List.of() : List.of(new SNIHostName(sniHost)));
                params.setEndpointIdentificationAlgorithm(null);
                tls.setSSLParameters(params);
                try {
                    tls.startHandshake();
                } catch (SSLException e) {
                    return new Result(false, null, trust.chain, keys.requested, null, e.getMessage());
                }
                String suite = tls.getSession().getCipherSuite();
                Boolean rejected = null;
                if (keys.requested) {
                    // TLS 1.3: the server judges our (empty) Certificate after our Finished; a refusal
                    // arrives as an alert on the next read. Half-close so an accepting server ends the
                    // connection at once instead of leaving us to wait for a timeout.
                    rejected = false;
                    try {
                        tls.setSoTimeout(deadline.remainingMillisForSocket(cap));
                        tls.shutdownOutput();
                        tls.getInputStream().read();
                    } catch (SSLException e) {
                        rejected = true;
                    } catch (SocketTimeoutException e) {
                        rejected = null;
                    } catch (IOException e) {
                        // reset after close_notify: it did not send an alert first
                    }
                }
                return new Result(true, suite, trust.chain, keys.requested, rejected, null);
            }
        } catch (IOException e) {
            return new Result(false, null, trust.chain, keys.requested, null, e.getMessage());
        }
    }

    /** Records the server chain; accepts it for this one handshake. Never a default. */
    private static final class CapturingTrust extends X509ExtendedTrustManager {
        volatile List<X509Certificate> chain = List.of();

        @Override
        public void checkServerTrusted(X509Certificate[] c, String authType, Socket socket) {
            chain = List.of(c);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String authType, SSLEngine engine) {
            chain = List.of(c);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String authType) {
            chain = List.of(c);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String authType, Socket socket) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String authType, SSLEngine engine) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String authType) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("client side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** Notes that the server asked for a client certificate, and offers none. */
    private static final class RecordingKeys extends X509ExtendedKeyManager {
        volatile boolean requested;

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            requested = true;
            return null;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            requested = true;
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return null;
        }
    }
}

package io.timeshift.pve.api.transport;

import io.timeshift.common.error.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;

/**
 * Builds the per-client TLS strategy for a {@link TlsTrust}. Nothing here touches JVM-wide defaults
 * ({@code SSLContext.setDefault}, {@code HttpsURLConnection.setDefault*}): each client gets its own
 * {@link SSLContext}.
 */
final class TlsSetup {
    private TlsSetup() {
    }

    static TlsSocketStrategy strategy(TlsTrust trust, boolean insecure) {
        try {
            if (insecure) {
                return build(context(new TrustAll()), NoopHostnameVerifier.INSTANCE, HostnameVerificationPolicy.CLIENT);
            }
            if (trust instanceof TlsTrust.Pinned pinned) {
                return build(context(new PinnedTrustManager(pinned.fingerprint())), NoopHostnameVerifier.INSTANCE,
                        HostnameVerificationPolicy.CLIENT);
            }
            if (trust instanceof TlsTrust.CaFile ca) {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(loadPem(ca));
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, tmf.getTrustManagers(), null);
                return build(ctx, new DefaultHostnameVerifier(), HostnameVerificationPolicy.BOTH);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return build(ctx, new DefaultHostnameVerifier(), HostnameVerificationPolicy.BOTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS (" + trust + ")", e);
        }
    }

    private static TlsSocketStrategy build(SSLContext ctx, HostnameVerifier verifier, HostnameVerificationPolicy policy) {
        return ClientTlsStrategyBuilder.create()
                .setSslContext(ctx)
                .setTlsVersions("TLSv1.3", "TLSv1.2")
                .setHostnameVerifier(verifier)
                .setHostVerificationPolicy(policy)
                .buildClassic();
    }

    private static SSLContext context(TrustManager tm) throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {tm}, null);
        return ctx;
    }

    private static KeyStore loadPem(TlsTrust.CaFile ca) throws GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(ca.pem())) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("--ca " + ca.pem() + " does not exist; the cluster CA is /etc/pve/pve-root-ca.pem on any node");
        } catch (IOException | CertificateException e) {
            throw new InvalidInputException("--ca " + ca.pem() + " is not a PEM certificate file: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new InvalidInputException("--ca " + ca.pem() + " holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)");
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int i = 0;
        for (Certificate c : certs) {
            ks.setCertificateEntry("ca-" + i++, c);
        }
        return ks;
    }

    /** Thrown by the pin check; carries both fingerprints for the user-facing message. */
    static final class FingerprintMismatchException extends CertificateException {
        private static final long serialVersionUID = 1L;
        final transient Fingerprint expected;
        final transient Fingerprint presented;

        FingerprintMismatchException(Fingerprint expected, Fingerprint presented) {
            super("certificate fingerprint mismatch: expected SHA-256 " + expected + ", presented " + presented);
            this.expected = expected;
            this.presented = presented;
        }
    }

    /**
     * A trust manager for a client that only ever checks servers: the socket/engine variants delegate to
     * {@link #checkServerTrusted(X509Certificate[], String)} (extended, so JSSE adds no endpoint check of
     * its own), and every client certificate is refused.
     */
    abstract static class ServerOnlyTrustManager extends X509ExtendedTrustManager {
        @Override
        public final void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public final void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public final void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not accepted here");
        }

        @Override
        public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public final X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** Accepts exactly the pinned leaf. */
    static final class PinnedTrustManager extends ServerOnlyTrustManager {
        private final Fingerprint pin;

        PinnedTrustManager(Fingerprint pin) {
            this.pin = pin;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("server presented no certificate");
            }
            Fingerprint presented = Fingerprint.of(chain[0]);
            if (!pin.matches(presented)) {
                throw new FingerprintMismatchException(pin, presented);
            }
        }
    }

    /** Only for the explicit insecureSkipVerify(true); scoped to one client. */
    static final class TrustAll extends ServerOnlyTrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // accepts every server: the caller asked for it loudly
        }
    }
}

package io.timeshift.jumpvm;

import java.io.FileInputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A tiny TLS client for the jump-VM test, run by the GUEST's JRE (its class file is copied into the
 * guest with guest-file-write) and by the host's: trusts only the given CA (PKIX, the JDK's default
 * checks, the JVM's clock), then either
 * <ul>
 *   <li>{@code connect <ca.pem> <host> <port>}: a full handshake, or</li>
 *   <li>{@code chain <ca.pem> <server.pem>}: the server-certificate check alone (no network).</li>
 * </ul>
 * Prints {@code OK <subject> notAfter=<date>} and exits 0, or {@code FAIL <exception>: <message>} and
 * exits 1. One class, no nested classes: the test copies exactly this class file.
 */
public final class TlsCheck {
    private TlsCheck() {
    }

    public static void main(String[] args) throws Exception {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            try (InputStream in = new FileInputStream(args[1])) {
                ks.setCertificateEntry("ca", cf.generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(ks);
            X509TrustManager tm = null;
            for (TrustManager t : tmf.getTrustManagers()) {
                if (t instanceof X509TrustManager) {
                    tm = (X509TrustManager) t;
                }
            }
            X509Certificate leaf;
            if ("chain".equals(args[0])) {
                try (InputStream in = new FileInputStream(args[2])) {
                    leaf = (X509Certificate) cf.generateCertificate(in);
                }
                tm.checkServerTrusted(new X509Certificate[] {leaf}, "RSA");
            } else {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {tm}, null);
                try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(args[2], Integer.parseInt(args[3]))) {
                    s.setSoTimeout(30_000);
                    s.startHandshake();
                    leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
                }
            }
            System.out.println("OK " + leaf.getSubjectX500Principal().getName() + " notAfter=" + leaf.getNotAfter().toInstant());
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            System.out.println("FAIL " + e.getClass().getSimpleName() + ": " + e.getMessage() + " / "
                    + root.getClass().getSimpleName() + ": " + root.getMessage());
            System.exit(1);
        }
    }
}

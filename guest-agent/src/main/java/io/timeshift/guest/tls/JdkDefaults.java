package io.timeshift.guest.tls;

import java.security.GeneralSecurityException;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * What this JDK enables by default, asked from a throw-away {@link SSLContext} (JSSE already
 * filters its default suites through jdk.tls.disabledAlgorithms). Computed once per instance, on
 * first use: only targets whose preferred suite is suspicious need it, and initialising JSSE costs
 * a noticeable part of a cold start. Thread-safe.
 */
final class JdkDefaults {
    private volatile Set<String> suites;

    /** Default-enabled TLS &lt;= 1.2 suites, IANA names. */
    Set<String> enabledSuites() {
        Set<String> s = suites;
        if (s == null) {
            synchronized (this) {
                if (suites == null) {
                    suites = load();
                }
                s = suites;
            }
        }
        return s;
    }

    boolean enables(String suiteName) {
        return enabledSuites().contains(CipherSuites.normalize(suiteName));
    }

    private static Set<String> load() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            // a no-op trust manager: init(null) would load the cacerts trust store for nothing
            c.init(new KeyManager[0], new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType)
                        throws java.security.cert.CertificateException {
                    throw new java.security.cert.CertificateException("this context only reports the JDK's default suites;"
                            + " it trusts nobody");
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType)
                        throws java.security.cert.CertificateException {
                    throw new java.security.cert.CertificateException("this context only reports the JDK's default suites;"
                            + " it trusts nobody");
                }

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            Set<String> out = new LinkedHashSet<>();
            for (String n : c.getDefaultSSLParameters().getCipherSuites()) {
                out.add(CipherSuites.normalize(n));
            }
            return out;
        } catch (GeneralSecurityException e) {
            return Set.of();
        }
    }
}

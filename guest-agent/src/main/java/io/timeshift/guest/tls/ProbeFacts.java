package io.timeshift.guest.tls;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the handshakes with one target established, before any judgement. Built by
 * {@link TlsProber}, judged by {@link Assessment}; tests build it directly.
 *
 * @param error              why the target is unreachable (null when it spoke TLS), or a partial-probe note
 * @param accepted           per version: the server answered a hello for it with a ServerHello of it
 * @param chosenSuites       per accepted version, the suite the server picked from our full list
 * @param jdkSuiteAtBest     a suite this JDK enables by default that the server accepts at the best version,
 *                           null when it accepts none (or the best version is TLS 1.3, where all suites are fine)
 * @param dhBits             the DH group size at the best version when the server picked a DHE suite
 * @param clientCertRejected true when the server refused our empty client certificate, null when unknown
 */
public record ProbeFacts(
        String target, String error, Map<TlsVersion, Boolean> accepted, Map<TlsVersion, String> chosenSuites,
        String jdkSuiteAtBest, List<X509Certificate> chain, Integer dhBits, boolean clientCertRequested,
        Boolean clientCertRejected, Instant now, Instant at, boolean jdkSuiteChecked) {

    /**
     * Facts whose JDK-suite check ran (or was not needed). {@code jdkSuiteChecked == false} means the
     * extra hello could not be made (deadline, connect failure): then a null {@code jdkSuiteAtBest}
     * says nothing about the server.
     */
    public ProbeFacts(String target, String error, Map<TlsVersion, Boolean> accepted, Map<TlsVersion, String> chosenSuites,
                      String jdkSuiteAtBest, List<X509Certificate> chain, Integer dhBits, boolean clientCertRequested,
                      Boolean clientCertRejected, Instant now, Instant at) {
        this(target, error, accepted, chosenSuites, jdkSuiteAtBest, chain, dhBits, clientCertRequested, clientCertRejected,
                now, at, true);
    }

    public boolean reachable() {
        return accepted.containsValue(true);
    }

    /** Highest accepted version, or null. */
    public TlsVersion best() {
        TlsVersion best = null;
        for (TlsVersion v : TlsVersion.values()) {
            if (Boolean.TRUE.equals(accepted.get(v))) {
                best = v;
            }
        }
        return best;
    }
}

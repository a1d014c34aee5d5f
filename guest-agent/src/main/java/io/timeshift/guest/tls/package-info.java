/**
 * {@code probe}: raw ClientHellos for what the JDK will not offer (SSLv3 to TLS 1.1, RC4, 3DES,
 * export suites) and JSSE, with a per-handshake capturing trust manager, for TLS 1.3's encrypted
 * part. {@link io.timeshift.guest.tls.TlsProber} gathers {@link io.timeshift.guest.tls.ProbeFacts};
 * {@link io.timeshift.guest.tls.Assessment} judges them.
 *
 * <p>How to extend: a new fact goes into {@code ProbeFacts} (gathered in {@code TlsProber}, tested
 * against a real server in {@code ProbeCommandTest}); a new weakness into {@code Assessment} with
 * its finding and its relaxation. Common mistakes: changing {@code Security} properties or
 * installing a trust-all default (never: the JVM is shared and the properties are global),
 * measuring timeouts with the wall clock, offering TLS_FALLBACK_SCSV in a deliberately low hello
 * (servers then refuse versions they do speak), and sending SNI for an IP address.
 */
package io.timeshift.guest.tls;

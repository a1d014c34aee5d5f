package io.timeshift.guest.tls;

import io.timeshift.guest.Finding;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges {@link ProbeFacts}: the verdict, whether a time shift helps, the findings with their
 * fixes, and the minimal client relaxations.
 *
 * <p>"Weak" follows what today's default clients refuse: protocols below TLS 1.2, suites this JDK
 * does not enable (RC4, 3DES, DES, export grade, ...), RSA/DSA/DH keys below 2048 bits and EC below
 * 224, MD5/MD2/SHA-1 certificate signatures (Debian's OpenSSL at SECLEVEL 2, as curl and Python use
 * it, refuses all of these; browsers and the JDK most). The relaxations are exact: for the JDK, the
 * current value of each disabledAlgorithms property minus exactly the entries that block this
 * target, so a finding the running JDK already tolerates (a 1024-bit key, SHA-1 from a private CA)
 * adds nothing there.
 *
 * <p>{@code timeShiftHelps} is true when a certificate date is a blocker, some instant lies inside
 * every certificate's validity, and the server neither is unreachable nor refuses the client. Weak
 * crypto beside an expired certificate does not make it false: the shift is still needed, and the
 * relaxations cover the rest.
 */
public final class Assessment {
    private final JdkConstraints tls;
    private final JdkConstraints certpath;

    public Assessment(JdkConstraints tls, JdkConstraints certpath) {
        this.tls = tls;
        this.certpath = certpath;
    }

    /** With this JDK's current properties. */
    public static Assessment ofRunningJdk() {
        return new Assessment(JdkConstraints.current(JdkConstraints.TLS), JdkConstraints.current(JdkConstraints.CERTPATH));
    }

    public ProbeResult assess(ProbeFacts f) {
        Map<String, Boolean> protocols = new LinkedHashMap<>();
        for (TlsVersion v : TlsVersion.values()) {
            protocols.put(v.jsonName(), Boolean.TRUE.equals(f.accepted().get(v)));
        }
        List<String> suites = new ArrayList<>();
        for (int i = TlsVersion.values().length - 1; i >= 0; i--) {
            String s = f.chosenSuites().get(TlsVersion.values()[i]);
            if (s != null && !suites.contains(s)) {
                suites.add(s);
            }
        }
        if (f.jdkSuiteAtBest() != null && !suites.contains(f.jdkSuiteAtBest())) {
            suites.add(f.jdkSuiteAtBest());
        }
        List<CertificateInfo> certs = new ArrayList<>();
        for (X509Certificate c : f.chain()) {
            certs.add(CertificateInfo.of(c));
        }
        List<Finding> findings = new ArrayList<>();
        List<String> notes = new ArrayList<>();

        if (!f.reachable()) {
            String why = f.error() == null ? "no TLS answer" : f.error();
            findings.add(new Finding(why, "check host and port (the BMC's HTTPS port), routing and firewall from this VM"));
            return new ProbeResult(f.target(), false, why, protocols, suites, certs, null, null, f.clientCertRequested(),
                    ProbeResult.UNREACHABLE, false, List.of(), findings, notes);
        }

        Boolean validNow = certs.isEmpty() ? null : allValid(certs, f.now());
        Boolean validAt = certs.isEmpty() || f.at() == null ? null : allValid(certs, f.at());
        Instant windowStart = null;
        Instant windowEnd = null;
        for (CertificateInfo c : certs) {
            windowStart = windowStart == null || c.notBeforeInstant().isAfter(windowStart) ? c.notBeforeInstant() : windowStart;
            windowEnd = windowEnd == null || c.notAfterInstant().isBefore(windowEnd) ? c.notAfterInstant() : windowEnd;
        }
        boolean windowExists = windowStart != null && !windowStart.isAfter(windowEnd);

        // the server refusing us
        boolean rejected = Boolean.TRUE.equals(f.clientCertRejected());
        if (rejected) {
            findings.add(new Finding("the server requires a client certificate (it refused our empty one)",
                    "a time shift cannot help: import the client certificate the BMC expects into the console's keystore, or turn off client-certificate authentication on the BMC"));
        } else if (f.clientCertRequested()) {
            notes.add("the server asks for a client certificate but "
                    + (f.clientCertRejected() == null ? "it could not be told whether it insists" : "accepts a connection without one"));
        }

        // dates
        boolean expired = false;
        boolean notYetValid = false;
        String windowText = windowExists ? windowStart + " .. " + windowEnd : null;
        for (int i = 0; i < certs.size(); i++) {
            CertificateInfo c = certs.get(i);
            String who = role(i, certs) + " " + c.subject();
            if (f.now().isAfter(c.notAfterInstant())) {
                expired = true;
                findings.add(new Finding(who + " expired on " + c.notAfter(), dateFix(windowText, f.target())));
            } else if (f.now().isBefore(c.notBeforeInstant())) {
                notYetValid = true;
                findings.add(new Finding(who + " is not valid before " + c.notBefore()
                        + " (a BMC clock that was wrong when it made its certificate)", dateFix(windowText, f.target())));
            }
        }

        // crypto
        TlsVersion best = f.best();
        Set<String> tlsRemove = new LinkedHashSet<>();
        Set<String> certpathRemove = new LinkedHashSet<>();
        JdkConstraints tlsNew = tls;
        JdkConstraints certpathNew = certpath;
        List<String> firefox = new ArrayList<>();
        int seclevel = 2;
        boolean weak = false;
        if (best != null && best.compareTo(TlsVersion.TLSv1_2) < 0) {
            weak = true;
            seclevel = 0;
            List<String> block = tls.blocking(List.of(best.jsonName()), f.now());
            tlsRemove.addAll(block);
            if (best == TlsVersion.SSLv3) {
                notes.add("Firefox cannot speak SSLv3 at all; use a Java client with the relaxation below");
            } else {
                firefox.add("security.tls.version.min=" + best.firefoxLevel());
            }
            findings.add(new Finding("the server speaks only " + accepted(f) + " (TLS 1.2 or newer refused)",
                    block.isEmpty() ? "this JDK still allows " + best.jsonName() + "; Firefox: security.tls.version.min=" + best.firefoxLevel()
                            : "allow " + best.jsonName() + " for this console only: see the relaxations"));
        }
        if (best != null && best != TlsVersion.TLSv1_3 && f.jdkSuiteAtBest() == null && f.jdkSuiteChecked()) {
            String suite = f.chosenSuites().get(best);
            if (suite != null) {
                weak = true; // SECLEVEL does not help here: see the note on Debian's OpenSSL below
                List<String> block = tls.blocking(CipherSuites.constraintTokens(suite), f.now());
                tlsRemove.addAll(block);
                if (suite.equals("TLS_RSA_WITH_3DES_EDE_CBC_SHA")) {
                    firefox.add("security.ssl3.rsa_des_ede3_sha=true");
                }
                String fix = block.isEmpty()
                        ? "this JDK does not implement " + suite + " at all: use a console JRE that does, or update the BMC firmware"
                        : "allow it for this console only: remove " + String.join(", ", block) + " (see the relaxations)";
                findings.add(new Finding("the server accepts no cipher suite this JDK enables by default; at " + best.jsonName()
                        + " it picks " + suite, fix));
                if (suite.contains("RC4") || suite.contains("DES") || suite.contains("RC2")) {
                    notes.add("Debian's OpenSSL (curl, Python) has no RC4/DES/3DES suites at all; Firefox has no RC4");
                }
            }
        }
        for (int i = 0; i < certs.size(); i++) {
            CertificateInfo c = certs.get(i);
            String who = role(i, certs) + " " + c.subject();
            int min = c.keyAlgorithm().equals("EC") ? 224 : 2048;
            if ((c.keyAlgorithm().equals("RSA") || c.keyAlgorithm().equals("DSA") || c.keyAlgorithm().equals("EC"))
                    && c.keyBits() > 0 && c.keyBits() < min) {
                weak = true;
                seclevel = Math.min(seclevel, c.keyBits() < (min == 224 ? 160 : 1024) ? 0 : 1);
                JdkConstraints t = tlsNew.withKeySize(c.keyAlgorithm(), c.keyBits());
                JdkConstraints p = certpathNew.withKeySize(c.keyAlgorithm(), c.keyBits());
                boolean jdkRefuses = !t.equals(tlsNew) || !p.equals(certpathNew);
                tlsNew = t;
                certpathNew = p;
                findings.add(new Finding(who + " has a " + c.keyBits() + "-bit " + c.keyAlgorithm() + " key (below " + min + ")",
                        (jdkRefuses ? "this JDK refuses it: see the relaxations" : "this JDK accepts it; curl/OpenSSL need SECLEVEL=" + seclevel)
                                + "; better: a new " + min + "-bit key on the BMC"));
            }
        }
        if (f.dhBits() != null && f.dhBits() < 2048) {
            weak = true;
            seclevel = Math.min(seclevel, f.dhBits() < 1024 ? 0 : 1);
            JdkConstraints t = tlsNew.withKeySize("DH", f.dhBits());
            boolean jdkRefuses = !t.equals(tlsNew);
            tlsNew = t;
            findings.add(new Finding("the server's DHE group has " + f.dhBits() + " bits (below 2048)",
                    jdkRefuses ? "this JDK refuses it: see the relaxations" : "this JDK accepts it; curl/OpenSSL need SECLEVEL=" + seclevel));
        }
        for (int i = 0; i < certs.size(); i++) {
            CertificateInfo c = certs.get(i);
            boolean anchor = i == certs.size() - 1 && certs.size() > 1 && c.selfSigned();
            String alg = c.signatureAlgorithm().toUpperCase();
            if (anchor || !(alg.startsWith("MD5") || alg.startsWith("MD2") || alg.startsWith("SHA1"))) {
                continue;
            }
            weak = true;
            seclevel = 0;
            Set<String> names = signatureTokens(c.signatureAlgorithm());
            List<String> t = tls.blocking(names, f.now());
            List<String> p = certpath.blocking(names, f.now());
            tlsRemove.addAll(t);
            certpathRemove.addAll(p);
            String who = role(i, certs) + " " + c.subject();
            findings.add(new Finding(who + " is signed with " + c.signatureAlgorithm(),
                    t.isEmpty() && p.isEmpty()
                            ? "this JDK accepts it from a private CA; curl/OpenSSL need SECLEVEL=0; better: re-issue the certificate with SHA-256"
                            : "this JDK refuses it: see the relaxations; better: re-issue the certificate with SHA-256"));
        }
        tlsNew = tlsNew.without(tlsRemove);
        certpathNew = certpathNew.without(certpathRemove);
        List<String> relaxations = new ArrayList<>();
        if (!tlsNew.equals(tls)) {
            relaxations.add(tlsNew.assignment());
        }
        if (!certpathNew.equals(certpath)) {
            relaxations.add(certpathNew.assignment());
        }
        relaxations.addAll(firefox);
        if (best != null && best.compareTo(TlsVersion.TLSv1_2) < 0) {
            relaxations.add("MinProtocol=" + best.opensslName());
        }
        if (seclevel < 2) {
            relaxations.add("CipherString=DEFAULT:@SECLEVEL=" + seclevel);
        }

        String verdict;
        if (rejected) {
            verdict = ProbeResult.CLIENT_REJECTED;
        } else if (expired) {
            verdict = ProbeResult.EXPIRED;
        } else if (notYetValid) {
            verdict = ProbeResult.NOT_YET_VALID;
        } else if (weak) {
            verdict = ProbeResult.WEAK_CRYPTO;
        } else {
            verdict = ProbeResult.OK;
        }
        boolean helps = (expired || notYetValid) && windowExists && !rejected;
        if ((expired || notYetValid) && !windowExists) {
            notes.add("no single date lies inside every certificate of this chain: a time shift cannot help; renew the certificate");
        }
        if (certs.isEmpty()) {
            notes.add("the server sent no certificate");
        }
        return new ProbeResult(f.target(), true, f.error(), protocols, suites, certs, validNow, validAt,
                f.clientCertRequested(), verdict, helps, List.copyOf(relaxations), List.copyOf(findings), List.copyOf(notes));
    }

    private static String dateFix(String window, String target) {
        return window == null
                ? "no date satisfies the whole chain: renew the BMC certificate"
                : "run the VM at a date inside " + window + " (`time-shift-guest plan " + target + "`), or renew the BMC certificate";
    }

    private static boolean allValid(List<CertificateInfo> certs, Instant t) {
        for (CertificateInfo c : certs) {
            if (!c.validAt(t)) {
                return false;
            }
        }
        return true;
    }

    private static String role(int i, List<CertificateInfo> certs) {
        if (i == 0) {
            return "leaf";
        }
        return i == certs.size() - 1 && certs.get(i).selfSigned() ? "root" : "intermediate";
    }

    private static String accepted(ProbeFacts f) {
        List<String> names = new ArrayList<>();
        for (TlsVersion v : TlsVersion.values()) {
            if (Boolean.TRUE.equals(f.accepted().get(v))) {
                names.add(v.jsonName());
            }
        }
        return String.join(", ", names);
    }

    /** SHA1withRSA -> SHA1withRSA, SHA1, SHA-1, RSA: the names the JDK's decomposer checks. */
    static Set<String> signatureTokens(String sigAlg) {
        Set<String> t = new LinkedHashSet<>();
        t.add(sigAlg);
        String[] parts = sigAlg.split("(?i)with|and");
        for (String p : parts) {
            if (!p.isEmpty()) {
                t.add(p);
                if (p.equals("SHA1")) {
                    t.add("SHA-1");
                }
            }
        }
        return t;
    }
}

package io.timeshift.guest.tls;

import io.timeshift.common.time.Deadline;
import io.timeshift.common.time.Durations;
import io.timeshift.common.time.Monotonic;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Probes targets concurrently, one thread per target (capped at {@value #MAX_THREADS}), each within
 * its own timeout measured on the monotonic clock.
 *
 * <p>Per target, one connection per question, in this order: a raw TLS 1.2 hello (fails fast on
 * refused ports and silent servers), a raw TLS 1.3 hello, raw 1.1, 1.0 and SSLv3 hellos; then, only
 * if needed, a raw hello restricted to the suites this JDK enables (when the server's preferred suite
 * is one the JDK refuses) and a JSSE TLS 1.3 handshake (when 1.3 is the only version, to read the
 * encrypted chain). No JVM-wide TLS setting is read-modify-written; JSSE is used only with a
 * per-handshake {@code SSLContext}. One attempt may use at most half the timeout, so one hello the
 * server ignores does not eat the whole budget.
 *
 * <p>Thread-safe: holds no per-probe state.
 */
public final class TlsProber {
    static final int MAX_THREADS = 64;
    /** How long past its limit a target's result is awaited (the result is assembled after the last socket call). */
    static final Duration GRACE = Duration.ofMillis(500);

    /** Name resolution: the seam where tests make it hang. */
    interface Resolver {
        InetAddress resolve(String host) throws UnknownHostException;
    }

    private final Clock clock;
    private final Monotonic monotonic;
    private final Assessment assessment;
    private final Resolver resolver;
    private final JdkDefaults jdk = new JdkDefaults();

    public TlsProber(Clock clock, Monotonic monotonic, Assessment assessment) {
        this(clock, monotonic, assessment, InetAddress::getByName);
    }

    TlsProber(Clock clock, Monotonic monotonic, Assessment assessment, Resolver resolver) {
        this.clock = clock;
        this.monotonic = monotonic;
        this.assessment = assessment;
        this.resolver = resolver;
    }

    /** What one target's probe is doing, for the message when it overruns its limit. */
    static final class Progress {
        private volatile long startNanos;
        private volatile boolean started;
        private volatile String doing = "waiting for a probe thread";

        void start(long nanos) {
            startNanos = nanos;
            started = true;
        }

        void doing(String what) {
            doing = what;
        }
    }

    /** Results in the order of {@code targets}. */
    public List<ProbeResult> probeAll(List<Target> targets, Duration timeout, Instant at) {
        List<ProbeFacts> facts = factsAll(targets, timeout, at);
        List<ProbeResult> out = new ArrayList<>();
        for (ProbeFacts f : facts) {
            out.add(assessment.assess(f));
        }
        return out;
    }

    /**
     * The raw facts, concurrently, in the order of {@code targets}. Each target gets at most {@code timeout}
     * from the moment its probe starts (name resolution included), measured on the monotonic source: a
     * probe still running then (a hanging resolver, a peer that keeps a handshake alive) is reported
     * unreachable saying what it was doing, and left behind on its daemon thread.
     */
    public List<ProbeFacts> factsAll(List<Target> targets, Duration timeout, Instant at) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(targets.size(), MAX_THREADS)), r -> {
            Thread t = new Thread(r, "probe");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<ProbeFacts>> futures = new ArrayList<>();
            List<Progress> progress = new ArrayList<>();
            for (Target t : targets) {
                Progress p = new Progress();
                progress.add(p);
                futures.add(pool.submit(() -> facts(t, timeout, at, p)));
            }
            List<ProbeFacts> out = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                out.add(await(futures.get(i), progress.get(i), targets.get(i), timeout, at));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private ProbeFacts await(Future<ProbeFacts> f, Progress p, Target t, Duration timeout, Instant at) {
        long limit = timeout.plus(GRACE).toNanos();
        while (true) {
            long waitMs = 50;
            if (p.started) {
                long left = p.startNanos + limit - monotonic.nanoTime();
                if (left <= 0 && !f.isDone()) {
                    f.cancel(true);
                    return unreachable(t, "no result within the " + Durations.human(timeout) + " limit: " + p.doing
                            + " had not finished", at);
                }
                waitMs = Math.max(1, Math.min(50, left / 1_000_000));
            }
            try {
                return f.get(waitMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // look at the monotonic source again
            } catch (ExecutionException e) {
                return unreachable(t, "probe failed: " + e.getCause(), at);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return unreachable(t, "interrupted", at);
            }
        }
    }

    /** Probes one target; never throws for network conditions. */
    public ProbeFacts facts(Target target, Duration timeout, Instant at) {
        return facts(target, timeout, at, new Progress());
    }

    private ProbeFacts facts(Target target, Duration timeout, Instant at, Progress progress) {
        long started = monotonic.nanoTime();
        progress.start(started);
        Deadline deadline = Deadline.after(monotonic, timeout);
        Duration cap = timeout.dividedBy(2).compareTo(Duration.ofMillis(500)) < 0 ? timeout : timeout.dividedBy(2);
        InetAddress address;
        progress.doing("name resolution of " + target.host());
        try {
            address = resolver.resolve(target.host());
        } catch (UnknownHostException e) {
            return unreachable(target, "unknown host " + target.host(), at);
        }
        if (deadline.expired()) {
            return unreachable(target, "name resolution of " + target.host() + " took "
                    + Durations.human(Duration.ofNanos(monotonic.nanoTime() - started)) + ", past the "
                    + Durations.human(timeout) + " limit", at);
        }
        InetSocketAddress socketAddress = new InetSocketAddress(address, target.port());
        String sni = target.hostIsIpLiteral() ? null : target.host();
        RawHandshake raw = new RawHandshake(socketAddress, sni, ThreadLocalRandom.current());

        Map<TlsVersion, RawHandshake.Outcome> outcomes = new EnumMap<>(TlsVersion.class);
        Map<TlsVersion, Duration> waited = new EnumMap<>(TlsVersion.class);
        List<String> notTried = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        TlsVersion[] order = {TlsVersion.TLSv1_2, TlsVersion.TLSv1_3, TlsVersion.TLSv1_1, TlsVersion.TLSv1, TlsVersion.SSLv3};
        for (TlsVersion v : order) {
            if (deadline.expired()) {
                notTried.add(v.jsonName());
                continue;
            }
            List<Integer> suites = v == TlsVersion.TLSv1_3 ? CipherSuites.tls13() : CipherSuites.legacyAndModern();
            progress.doing("the " + v.jsonName() + " hello to " + target.input());
            long before = monotonic.nanoTime();
            RawHandshake.Outcome o = raw.attempt(v, suites, deadline, cap);
            waited.put(v, Duration.ofNanos(monotonic.nanoTime() - before));
            outcomes.put(v, o);
            if (o.kind() == RawHandshake.Kind.CONNECT_FAILED) {
                if (outcomes.size() == 1) {
                    return unreachable(target, o.detail(), at);
                }
                // reachable before (a BMC limiting connections, or the budget ran out): keep what we have
                outcomes.remove(v);
                notes.add(v.jsonName() + ": connect failed (" + o.detail() + ")");
                break;
            }
        }
        boolean spokeTls = outcomes.values().stream().anyMatch(RawHandshake.Outcome::spokeTls);
        if (!spokeTls) {
            RawHandshake.Outcome first = outcomes.get(TlsVersion.TLSv1_2);
            String why = first.kind() == RawHandshake.Kind.TIMEOUT ? silence(outcomes, waited, notTried, timeout) : first.detail();
            return unreachable(target, why, at);
        }

        Map<TlsVersion, Boolean> accepted = new EnumMap<>(TlsVersion.class);
        Map<TlsVersion, String> chosen = new EnumMap<>(TlsVersion.class);
        for (TlsVersion v : TlsVersion.values()) {
            RawHandshake.Outcome o = outcomes.get(v);
            boolean ok = o != null && o.accepted();
            accepted.put(v, ok);
            if (ok) {
                chosen.put(v, CipherSuites.name(o.suite()));
            }
        }
        if (!accepted.containsValue(true)) {
            List<String> answers = new ArrayList<>();
            for (TlsVersion v : order) {
                RawHandshake.Outcome o = outcomes.get(v);
                if (o != null) {
                    answers.add(v.jsonName() + ": " + (o.kind() == RawHandshake.Kind.SERVER_HELLO
                            ? "answered with " + versionName(o.serverVersion()) : o.detail()));
                }
            }
            return unreachable(target, "the TLS server refused every hello (" + String.join("; ", answers) + ")", at);
        }
        if (!notTried.isEmpty()) {
            notes.add("timed out before trying " + String.join(", ", notTried));
        }
        for (TlsVersion v : order) {
            RawHandshake.Outcome o = outcomes.get(v);
            if (o != null && o.kind() == RawHandshake.Kind.TIMEOUT) {
                notes.add(v.jsonName() + " hello got no answer in time");
            }
        }

        // the chain, client-certificate facts and DH size come from the best version <= 1.2 ...
        RawHandshake.Outcome bestClear = null;
        for (TlsVersion v : new TlsVersion[] {TlsVersion.TLSv1_2, TlsVersion.TLSv1_1, TlsVersion.TLSv1, TlsVersion.SSLv3}) {
            RawHandshake.Outcome o = outcomes.get(v);
            if (o != null && o.accepted()) {
                bestClear = o;
                break;
            }
        }
        List<X509Certificate> chain = List.of();
        boolean requested = false;
        Boolean rejected = null;
        Integer dhBits = null;
        String jdkSuite = null;
        ProbeFacts probe = new ProbeFacts(target.input(), null, accepted, chosen, null, List.of(), null, false, null,
                clock.instant(), at);
        TlsVersion best = probe.best();
        if (bestClear != null) {
            chain = parse(bestClear.certificates(), notes);
            requested = bestClear.certificateRequested();
            rejected = bestClear.clientCertRejected();
            if (best == bestClear.asked()) {
                dhBits = bestClear.dhBits();
            }
        }
        // ... or, when TLS 1.3 is all the server speaks, from JSSE (1.3 encrypts them)
        if (best == TlsVersion.TLSv1_3 && bestClear == null && !deadline.expired()) {
            progress.doing("the JSSE TLS 1.3 handshake with " + target.input());
            JsseHandshake.Result r = JsseHandshake.tls13(socketAddress, sni, deadline, cap);
            chain = r.chain();
            requested = r.clientCertRequested();
            rejected = r.clientCertRejected();
            if (!r.accepted() && r.detail() != null) {
                notes.add("JSSE TLS 1.3 handshake: " + r.detail());
            }
        }
        // suites: is there one this JDK enables, at the best version?
        boolean jdkChecked = true;
        if (best != null && best != TlsVersion.TLSv1_3) {
            String pick = chosen.get(best);
            if (jdk.enables(pick)) {
                jdkSuite = pick;
            } else if (deadline.expired()) {
                jdkChecked = false;
            } else {
                progress.doing("the hello with this JDK's cipher suites to " + target.input());
                List<Integer> jdkIds = CipherSuites.idsOf(jdk.enabledSuites());
                RawHandshake.Outcome o = raw.attempt(best, jdkIds, deadline, cap);
                jdkChecked = o.kind() != RawHandshake.Kind.CONNECT_FAILED && o.kind() != RawHandshake.Kind.TIMEOUT;
                if (o.accepted()) {
                    jdkSuite = CipherSuites.name(o.suite());
                    if (o.dhBits() != null || !CipherSuites.isDhe(jdkSuite)) {
                        dhBits = o.dhBits();
                    }
                }
            }
        }
        if (!jdkChecked) {
            notes.add("could not check for a cipher suite this JDK enables (no time or connection left)");
        }
        return new ProbeFacts(target.input(), notes.isEmpty() ? null : String.join("; ", notes), accepted, chosen, jdkSuite,
                chain, dhBits, requested, rejected, clock.instant(), at, jdkChecked);
    }

    /** What a server that never answered did, as measured: "no TLS answer within 10s (TLSv1.2 hello: 5s ...)". */
    private static String silence(Map<TlsVersion, RawHandshake.Outcome> outcomes, Map<TlsVersion, Duration> waited,
                                  List<String> notTried, Duration timeout) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<TlsVersion, RawHandshake.Outcome> e : outcomes.entrySet()) {
            Duration w = waited.get(e.getKey());
            parts.add(e.getKey().jsonName() + " hello: " + (e.getValue().kind() == RawHandshake.Kind.TIMEOUT
                    ? "no answer in " + Durations.human(w) : e.getValue().detail()));
        }
        String rest = notTried.isEmpty() ? "" : "; not tried in time: " + String.join(", ", notTried);
        return "no TLS answer within " + Durations.human(timeout) + " (the connection was accepted; "
                + String.join("; ", parts) + rest + ")";
    }

    private ProbeFacts unreachable(Target t, String why, Instant at) {
        Map<TlsVersion, Boolean> none = new EnumMap<>(TlsVersion.class);
        for (TlsVersion v : TlsVersion.values()) {
            none.put(v, false);
        }
        return new ProbeFacts(t.input(), why, none, Map.of(), null, List.of(), null, false, null, clock.instant(), at);
    }

    private static String versionName(int code) {
        TlsVersion v = TlsVersion.ofCode(code);
        return v != null ? v.jsonName() : String.format("version 0x%04X", code);
    }

    private static List<X509Certificate> parse(List<byte[]> ders, List<String> notes) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (byte[] der : ders) {
                try {
                    out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
                } catch (CertificateException e) {
                    notes.add("certificate " + out.size() + " could not be parsed: " + e.getMessage());
                    break;
                }
            }
        } catch (CertificateException e) {
            notes.add("no X.509 support: " + e.getMessage());
        }
        return out;
    }
}

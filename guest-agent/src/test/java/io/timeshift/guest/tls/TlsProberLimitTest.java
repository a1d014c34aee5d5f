package io.timeshift.guest.tls;

import io.timeshift.guest.testsupport.JsseServer;
import io.timeshift.common.time.Monotonic;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe's limit bounds the whole per-target attempt (name resolution included), measured on the
 * monotonic source, and the message says what happened. (A silent peer once took 31.7 s under a 10 s
 * limit while the message claimed the limit held.)
 */
class TlsProberLimitTest {
    private static final Duration LIMIT = Duration.ofSeconds(1);

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Nested
    class AResolverThatNeverAnswers {
        @Test
        void isCutOffAtTheLimitNamingTheResolution() {
            CountDownLatch never = new CountDownLatch(1);
            TlsProber prober = new TlsProber(Clock.systemUTC(), Monotonic.SYSTEM, Assessment.ofRunningJdk(), host -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return InetAddress.getLoopbackAddress();
            });
            long start = System.nanoTime();

            List<ProbeFacts> facts = prober.factsAll(List.of(Target.parse("bmc.example:443")), LIMIT, null);

            long ms = millisSince(start);
            assertEquals("no result within the 1s limit: name resolution of bmc.example had not finished",
                    facts.get(0).error());
            assertTrue(ms >= 1000 && ms < 1000 + TlsProber.GRACE.toMillis() + 700, "took " + ms + " ms");
        }

        @Test
        void aResolverSlowerThanTheLimitIsReportedAsSuchWhenItDoesAnswer() {
            long[] fake = {0};
            Monotonic mono = () -> fake[0];
            TlsProber prober = new TlsProber(Clock.systemUTC(), mono, Assessment.ofRunningJdk(), host -> {
                fake[0] += Duration.ofMillis(1500).toNanos(); // the lookup took 1.5 s of monotonic time
                return InetAddress.getLoopbackAddress();
            });

            ProbeFacts f = prober.facts(Target.parse("bmc.example:443"), LIMIT, null);

            assertEquals("name resolution of bmc.example took 1.5s, past the 1s limit", f.error());
        }
    }

    @Nested
    class ASilentPeer {
        @Test
        void isGivenUpAtTheLimitAndTheMessageSaysWhatEachHelloGot() {
            try (JsseServer silent = JsseServer.silent()) {
                TlsProber prober = new TlsProber(Clock.systemUTC(), Monotonic.SYSTEM, Assessment.ofRunningJdk());
                long start = System.nanoTime();

                ProbeFacts f = prober.factsAll(List.of(Target.parse(silent.target())), LIMIT, null).get(0);

                long ms = millisSince(start);
                assertTrue(ms >= 900 && ms < 1000 + TlsProber.GRACE.toMillis(), "took " + ms + " ms");
                assertTrue(f.error().startsWith("no TLS answer within 1s (the connection was accepted; "), f.error());
                assertTrue(f.error().contains("TLSv1.2 hello: no answer in ") && f.error().contains("; TLSv1.3 hello: no answer in "), f.error());
                assertTrue(f.error().endsWith("; not tried in time: TLSv1.1, TLSv1, SSLv3)"), f.error());
            }
        }
    }
}

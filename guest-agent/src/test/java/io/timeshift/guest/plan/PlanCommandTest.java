package io.timeshift.guest.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.guest.testsupport.Cli;
import io.timeshift.guest.testsupport.JsseServer;
import io.timeshift.guest.testsupport.OpensslServer;
import io.timeshift.testsupport.TestPki;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plan} over real openssl servers whose certificates have chosen validity windows. */
class PlanCommandTest {
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    @TempDir
    static Path dir;
    static OpensslServer chain2006to2010;
    static OpensslServer self2008to2012;
    static OpensslServer self2030to2031;
    static OpensslServer brokenChain;

    @BeforeAll
    static void startServers() {
        TestPki pki = TestPki.in(dir);
        TestPki.Cert root = pki.ca("Plan Root", 2048, "20000101000000Z", "20400101000000Z", null);
        TestPki.Cert inter = pki.ca("Plan Intermediate", 2048, "20050101000000Z", "20100101000000Z", root);
        TestPki.Cert leaf = pki.leaf("bmc-a.test", 2048, "20060101000000Z", "20300101000000Z", "sha256", inter);
        TestPki.Cert b = pki.selfSigned("bmc-b.test", 2048, "20080101000000Z", "20120101000000Z", "sha256");
        TestPki.Cert c = pki.selfSigned("bmc-c.test", 2048, "20300101000000Z", "20310101000000Z", "sha256");
        TestPki.Cert lateLeaf = pki.leaf("bmc-d.test", 2048, "20150101000000Z", "20200101000000Z", "sha256", inter);
        chain2006to2010 = OpensslServer.start("-cert", leaf.pem().toString(), "-key", leaf.key().toString(),
                "-cert_chain", pki.bundle("plan-chain", inter, root).toString());
        self2008to2012 = OpensslServer.start("-cert", b.pem().toString(), "-key", b.key().toString());
        self2030to2031 = OpensslServer.start("-cert", c.pem().toString(), "-key", c.key().toString());
        brokenChain = OpensslServer.start("-cert", lateLeaf.pem().toString(), "-key", lateLeaf.key().toString(),
                "-cert_chain", pki.bundle("plan-broken", inter).toString());
    }

    @AfterAll
    static void stopServers() {
        for (OpensslServer s : List.of(chain2006to2010, self2008to2012, self2030to2031, brokenChain)) {
            s.close();
        }
    }

    static Cli.Run plan(String... targets) {
        List<String> args = new ArrayList<>(List.of("plan", "--json", "--timeout", "5s"));
        args.addAll(List.of(targets));
        return Cli.run(Cli.context(Clock.fixed(NOW, ZoneOffset.UTC)), args.toArray(String[]::new));
    }

    @Nested
    class OverlappingWindows {
        @Test
        void suggestsADateInsideTheIntersectionOfEveryCertificate() {
            Cli.Run run = plan(chain2006to2010.target(), self2008to2012.target());

            assertEquals(0, run.exitCode(), run.out() + run.err());
            JsonNode r = run.json();
            assertEquals(List.of("window", "suggested", "targets", "conflicts"), names(r));
            assertEquals("2008-01-01T00:00:00Z", r.get("window").get("notBefore").asText());
            assertEquals("2010-01-01T00:00:00Z", r.get("window").get("notAfter").asText());
            // 731-day window (2008 is a leap year), 73.1-day margin: the latest midday before 2009-10-19T21:36Z
            assertEquals("2009-10-19T12:00:00Z", r.get("suggested").asText());
            JsonNode a = r.get("targets").get(0);
            assertEquals(chain2006to2010.target(), a.get("target").asText());
            assertEquals("2006-01-01T00:00:00Z", a.get("window").get("notBefore").asText());
            assertEquals("2010-01-01T00:00:00Z", a.get("window").get("notAfter").asText(), "the expired intermediate bounds it");
            assertTrue(a.get("error").isNull());
            JsonNode b = r.get("targets").get(1);
            assertEquals("2008-01-01T00:00:00Z", b.get("window").get("notBefore").asText());
            assertEquals("2012-01-01T00:00:00Z", b.get("window").get("notAfter").asText());
            assertEquals(0, r.get("conflicts").size());
        }

        @Test
        void textNamesTheWindowAndTheCommandToApplyIt() {
            Cli.Run run = Cli.run(Cli.context(Clock.fixed(NOW, ZoneOffset.UTC)), "plan", chain2006to2010.target(), self2008to2012.target());

            assertEquals(0, run.exitCode());
            assertTrue(run.out().contains("  window:      2008-01-01T00:00:00Z .. 2010-01-01T00:00:00Z\n"), run.out());
            assertTrue(run.out().contains("  suggested:   2009-10-19T12:00:00Z -> time-shift enable <vmid> --date 2009-10-19T12:00:00Z\n"), run.out());
        }
    }

    @Nested
    class DisjointWindows {
        @Test
        void namesTheConflictingPairAndExitsOne() {
            Cli.Run run = plan(chain2006to2010.target(), self2008to2012.target(), self2030to2031.target());

            assertEquals(1, run.exitCode(), run.out() + run.err());
            JsonNode r = run.json();
            assertTrue(r.get("window").isNull());
            assertTrue(r.get("suggested").isNull());
            assertEquals(2, r.get("conflicts").size());
            JsonNode first = r.get("conflicts").get(0);
            assertEquals(List.of(chain2006to2010.target(), self2030to2031.target()), texts(first.get("targets")));
            assertEquals(chain2006to2010.target() + " is valid only until 2010-01-01T00:00:00Z, " + self2030to2031.target()
                    + " only from 2030-01-01T00:00:00Z", first.get("reason").asText());
            assertEquals(List.of(self2008to2012.target(), self2030to2031.target()), texts(r.get("conflicts").get(1).get("targets")));
        }

        @Test
        void chainWithoutACommonDateConflictsWithItself() {
            Cli.Run run = plan(brokenChain.target());

            assertEquals(1, run.exitCode());
            JsonNode r = run.json();
            assertTrue(r.get("targets").get(0).get("window").isNull());
            assertEquals(List.of(brokenChain.target()), texts(r.get("conflicts").get(0).get("targets")));
        }
    }

    @Test
    void unreachableTargetLeavesTheWindowUnknownAndExitsThree() {
        Cli.Run run = plan(self2008to2012.target(), "127.0.0.1:" + JsseServer.refusedPort());

        assertEquals(3, run.exitCode());
        JsonNode r = run.json();
        assertTrue(r.get("window").isNull());
        assertEquals("connection refused", r.get("targets").get(1).get("error").asText());
    }

    static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static List<String> texts(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }
}

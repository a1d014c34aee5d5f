package io.timeshift.host.cli;

import io.timeshift.common.error.CheckFailedException;

import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.io.Json;
import io.timeshift.host.state.StateStore;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.TempHost;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The picocli front end: exit codes, one-line errors, JSON shapes, --verbose. */
class CliTest {
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");

    @TempDir
    Path dir;

    private TempHost host;
    private final MutableClock clock = new MutableClock(T0);
    private final FakeMonotonic mono = new FakeMonotonic();
    private final FakeQemuGa ga = new FakeQemuGa(clock, mono);
    private StringWriter out;
    private StringWriter err;

    @BeforeEach
    void node() {
        host = new TempHost(dir);
    }

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        Services services = new Services(host.paths(), Map.of("USER", "alice"), clock, mono, ga::client);
        return Cli.run(services, new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private List<String> errLines() {
        return err.toString().lines().toList();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> jsonArray(String text) {
        return (List<Map<String, Object>>) Json.parseObject("{\"a\":" + text + "}", "stdout").get("a");
    }

    private void threeAuditLines() {
        AuditLog log = new AuditLog(host.paths().auditLog(), clock);
        log.append("hook", 105, "hook-pre-start", Map.of());
        log.append("alice", 105, "apply", Map.of("result", "ok"));
        log.append("hook", 105, "hook-post-stop", Map.of());
    }

    private void editAuditLine(int n) throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(host.paths().auditLog()));
        lines.set(n - 1, lines.get(n - 1).replace("\"result\":\"ok\"", "\"result\":\"failed\""));
        Files.write(host.paths().auditLog(), lines);
    }

    @Nested
    class Status {
        @Test
        void jsonHasEveryContractFieldForAStoppedVm() {
            host.confWith(105).policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z"));
            new StateStore(host.paths()).update(105, s -> {
                Map<String, Object> apply = new LinkedHashMap<>();
                apply.put("startedAt", "2026-01-09T10:00:00Z");
                apply.put("finishedAt", "2026-01-09T10:00:01Z");
                apply.put("result", "ok");
                apply.put("message", "guest clock set");
                apply.put("guestTimeAfter", "2021-03-01T12:00:01Z");
                apply.put("errorMs", 0.5);
                s.finishApply(apply);
            });

            assertEquals(0, run("status", "--json"));

            List<Map<String, Object>> rows = jsonArray(out.toString());
            assertEquals(1, rows.size());
            Map<String, Object> r = rows.get(0);
            for (String field : List.of("vmid", "name", "node", "running", "mode", "expectedTime", "guestTime", "driftMs",
                    "inTolerance", "timeSync", "lastApply", "problems")) {
                assertTrue(r.containsKey(field), "missing " + field + " in " + r);
            }
            assertEquals(105, ((Number) r.get("vmid")).intValue());
            assertEquals("jump-vm", r.get("name"));
            assertEquals(false, r.get("running"));
            assertEquals("fixed", r.get("mode"));
            assertNull(r.get("guestTime"));
            assertNull(r.get("driftMs"));
            assertEquals("disable", r.get("timeSync"));
            Map<?, ?> last = (Map<?, ?>) r.get("lastApply");
            for (String field : List.of("startedAt", "finishedAt", "result", "message", "guestTimeAfter", "errorMs")) {
                assertTrue(last.containsKey(field), "lastApply misses " + field + ": " + last);
            }
            assertEquals("ok", last.get("result"));
            assertEquals(List.of(), r.get("problems"));
            assertEquals("", err.toString());
        }

        @Test
        void nodeIsThePmxcfsNodeNameLikeStatusAll() throws Exception {
            host.confWith(105).policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z"));
            Files.createDirectories(host.paths().pveDir().resolve("nodes/pve7"));
            Files.createSymbolicLink(host.paths().pveDir().resolve("local"), Path.of("nodes/pve7"));

            assertEquals(0, run("status", "--json"));

            assertEquals("pve7", jsonArray(out.toString()).get(0).get("node"));
        }

        @Test
        void jsonOfANodeWithoutPoliciesIsAnEmptyArray() {
            assertEquals(0, run("status", "--json"));

            assertEquals(List.of(), jsonArray(out.toString()));
        }

        @Test
        void namedVmsAreReportedInOrder() {
            host.confWith(105).policy(PolicyJson.fixed(105, "2021-03-01"))
                    .confWith(106).policy(PolicyJson.offset(106, "-3y"));

            assertEquals(0, run("status", "106", "105", "--json"));

            assertEquals(List.of(106, 105), jsonArray(out.toString()).stream().map(m -> ((Number) m.get("vmid")).intValue()).toList());
        }

        @Test
        void textTableShowsOneRowPerVm() {
            host.confWith(105).policy(PolicyJson.fixed(105, "2021-03-01"));

            assertEquals(0, run("status"));

            List<String> lines = out.toString().lines().toList();
            assertEquals(2, lines.size(), out.toString());
            assertTrue(lines.get(0).startsWith("VMID"), lines.get(0));
            assertTrue(lines.get(1).startsWith("105"), lines.get(1));
        }
    }

    @Nested
    class Audit {
        @Test
        void verifyOfAnIntactLogExitsZero() {
            threeAuditLines();

            String last = new AuditLog(host.paths().auditLog(), clock).append("hook", 105, "hook-post-start", Map.of());

            assertEquals(0, run("audit", "--verify"));

            assertEquals(host.paths().auditLog() + ": 4 lines, hash chain intact, last hash " + last
                    + ", anchor audit.jsonl.anchor (4 lines, " + size() + " bytes, last hash " + last + ") matches\n",
                    out.toString());
        }

        private long size() {
            try {
                return Files.size(host.paths().auditLog());
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }

        @Test
        void verifyOfAnEmptyOrMissingLogSaysZeroLines() {
            assertEquals(0, run("audit", "--verify"));

            assertEquals(host.paths().auditLog() + ": 0 lines, hash chain intact\n", out.toString());
        }

        @Test
        void verifyOfALogWhoseLastLineWasDeletedExitsOneSayingSo() throws Exception {
            threeAuditLines();
            List<String> lines = Files.readAllLines(host.paths().auditLog());
            Files.write(host.paths().auditLog(), lines.subList(0, 2));

            assertEquals(1, run("audit", "--verify"));

            assertEquals(1, errLines().size(), err.toString());
            assertTrue(errLines().get(0).startsWith("time-shift: " + host.paths().auditLog()
                    + ": the log ends after line 2 but its anchor records 3 lines"), errLines().get(0));
        }

        @Test
        void verifyOfADirectoryIsExitThreeNeverIntact() throws Exception {
            Files.createDirectories(host.paths().auditLog());

            assertEquals(3, run("audit", "--verify"));

            assertEquals(List.of("time-shift: cannot read audit log " + host.paths().auditLog()
                    + ": it is a directory, not the log; move it away"), errLines());
            assertEquals("", out.toString());
        }

        @Test
        void listingADirectoryIsExitThree() throws Exception {
            Files.createDirectories(host.paths().auditLog());

            assertEquals(3, run("audit", "--json"));

            assertEquals(1, errLines().size(), err.toString());
        }

        @Test
        void jsonListingOfALogWithForeignLinesIsStillOneValidJsonArray() throws Exception {
            threeAuditLines();
            Files.writeString(host.paths().auditLog(), "garbage \u0007 line\n{\"half\":", java.nio.file.StandardOpenOption.APPEND);

            assertEquals(0, run("audit", "--json"));

            List<Map<String, Object>> rows = jsonArray(out.toString());
            assertEquals(5, rows.size(), out.toString());
            assertEquals("hook-post-stop", rows.get(2).get("action"));
            assertEquals(4L, rows.get(3).get("line"));
            assertTrue(((String) rows.get(3).get("invalid")).startsWith("not an audit entry: "), rows.get(3).toString());
            assertEquals("garbage \\u0007 line", rows.get(3).get("text"));
            assertEquals("{\"half\":", rows.get(4).get("text"));
        }

        @Test
        void textListingShowsAForeignLineAsOneEscapedLine() throws Exception {
            threeAuditLines();
            Files.writeString(host.paths().auditLog(), "bad\rline\n", java.nio.file.StandardOpenOption.APPEND);

            assertEquals(0, run("audit"));

            List<String> lines = out.toString().lines().toList();
            assertEquals(4, lines.size(), out.toString());
            assertTrue(lines.get(3).startsWith("line 4: not an audit entry ("), lines.get(3));
            assertTrue(lines.get(3).endsWith("): bad\\u000dline"), lines.get(3));
        }

        @Test
        void verifyExitsOneNamingTheFirstBadLine() throws Exception {
            threeAuditLines();
            editAuditLine(2);

            assertEquals(1, run("audit", "--verify"));

            assertEquals(1, errLines().size(), err.toString());
            assertTrue(errLines().get(0).contains(host.paths().auditLog().toString()), errLines().get(0));
            assertTrue(errLines().get(0).contains("line 2 "), errLines().get(0));
            assertFalse(err.toString().contains("\tat "), err.toString());
        }

        @Test
        void verifyJsonNamesTheFirstBadLine() throws Exception {
            threeAuditLines();
            editAuditLine(2);

            assertEquals(1, run("audit", "--verify", "--json"));

            Map<String, Object> m = Json.parseObject(out.toString(), "stdout");
            assertEquals(false, m.get("ok"));
            assertEquals(2, ((Number) m.get("firstBadLine")).intValue());
            assertEquals(3, ((Number) m.get("lines")).intValue());
            assertTrue(((String) m.get("anchor")).startsWith("3 lines, "), m.toString());
        }

        @Test
        void listsEntriesAsJson() {
            threeAuditLines();

            assertEquals(0, run("audit", "--json"));

            assertEquals(List.of("hook-pre-start", "apply", "hook-post-stop"),
                    jsonArray(out.toString()).stream().map(m -> m.get("action")).toList());
        }
    }

    @Nested
    class InvalidInput {
        @Test
        void nonNumericVmidIsExitTwoNamingTheValueAndTheValidForm() {
            assertEquals(2, run("apply", "abc"));

            assertTrue(errLines().get(0).contains("'abc' is not a VMID (a number from 100 to 999999999)"), err.toString());
            assertFalse(err.toString().contains("\tat "), err.toString());
            assertEquals("", out.toString());
        }

        @Test
        void statusWithANonNumericVmidNamesTheValidForm() {
            assertEquals(2, run("status", "abc"));

            assertTrue(errLines().get(0).contains("'abc' is not a VMID (a number from 100 to 999999999)"), err.toString());
        }

        @ParameterizedTest(name = "{0} abc")
        @ValueSource(strings = {"status", "apply"})
        void nonNumericVmidIsExactlyOneLine(String command) {
            assertEquals(2, run(command, "abc"));

            assertEquals(1, errLines().size(), err.toString());
        }

        @Test
        void applyWithoutPolicyIsExitTwoWithTheFix() {
            host.confWith(105);

            assertEquals(2, run("apply", "105"));

            assertEquals(1, errLines().size(), err.toString());
            assertTrue(errLines().get(0).contains("time-shift enable 105"), errLines().get(0));
        }

        @Test
        void anInvalidNodeConfigIsExitTwoNamingTheField() throws Exception {
            host.confWith(105).policy(PolicyJson.fixed(105, "2021-03-01"));
            Files.createDirectories(host.paths().configFile().getParent());
            Files.writeString(host.paths().configFile(), "{\"applyHold\":60}");

            assertEquals(2, run("apply", "105"));

            assertEquals(1, errLines().size(), err.toString());
            assertTrue(errLines().get(0).contains("field 'applyHold'"), errLines().get(0));
        }
    }

    @Nested
    class InvalidInputAtTheEdge {
        @ParameterizedTest(name = "plan 105 --target {0}")
        @ValueSource(strings = {"ftp://x", "x:99999", "x:0", "http://x", "[fe80::1"})
        void aBadTargetIsExit2NamingTheOptionBeforeTheVmIsLookedAt(String target) {
            assertEquals(2, run("plan", "105", "--target", target));

            assertEquals(1, errLines().size(), err.toString());
            assertTrue(errLines().get(0).startsWith("time-shift: --target: '" + target + "'"), errLines().get(0));
        }

        @ParameterizedTest(name = "enable 105 --date 2021-03-01 --target {0}")
        @ValueSource(strings = {"ftp://x", "x:99999", "x:0"})
        void enableRefusesTheSameTargets(String target) {
            host.confWith(105);

            assertEquals(2, run("enable", "105", "--date", "2021-03-01", "--yes", "--target", target));

            assertTrue(errLines().get(0).startsWith("time-shift: --target: '" + target + "'"), errLines().get(0));
            assertFalse(Files.exists(host.paths().policyFile(105)));
        }

        @ParameterizedTest(name = "--remote {0}")
        @ValueSource(strings = {"https://pve1:99999", "https://pve1:0", "pve1:8006", "ftp://pve1"})
        void aBadRemoteIsExit2NamingTheOption(String remote) throws Exception {
            Path token = dir.resolve("token");
            Files.writeString(token, "root@pam!t=secret\n");
            Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

            for (String command : List.of("status", "doctor")) {
                assertEquals(2, run(command, "--remote", remote, "--token-file", token.toString()), err.toString());
                assertEquals(1, errLines().size(), err.toString());
                assertTrue(errLines().get(0).startsWith("time-shift: --remote: '" + remote + "'"), errLines().get(0));
            }
        }

        @ParameterizedTest(name = "status {0} x")
        @ValueSource(strings = {"--token-file", "--fingerprint", "--ca", "--user", "--password-file"})
        void aRemoteOptionWithoutRemoteIsExit2NotIgnored(String option) {
            assertEquals(2, run("status", option, "x"));

            assertEquals(1, errLines().size(), err.toString());
            assertTrue(errLines().get(0).startsWith("time-shift: " + option + " needs --remote https://<node>:8006"),
                    errLines().get(0));
        }

        @Test
        void zoneWithoutDateIsExit2NotIgnored() {
            host.confWith(105);

            assertEquals(2, run("enable", "105", "--offset", "-90d", "--zone", "Europe/Berlin", "--yes"));

            assertEquals(1, errLines().size(), err.toString());
            assertTrue(errLines().get(0).startsWith("time-shift: --zone only applies to a --date"), errLines().get(0));
            assertFalse(Files.exists(host.paths().policyFile(105)));
        }

        @Test
        void noCommandIsExit2WithOneLineLikeTheGuestTool() {
            assertEquals(2, run());

            assertEquals(List.of("time-shift: missing command: enable, disable, status, apply, verify, plan, doctor, audit,"
                    + " api-setup or hook (see: time-shift --help)"), errLines());
            assertEquals("", out.toString());
        }

        @Test
        void theDemoIsNotACommandWithoutTheDemoModule() {
            assertEquals(2, run("demo"));

            assertEquals(1, errLines().size(), err.toString());
            assertTrue(errLines().get(0).startsWith("time-shift: Unmatched argument at index 0: 'demo'"), err.toString());
        }

        @Test
        void anAgentTimeoutOutOfRangeInTheNodeConfigIsExit2NamingTheFileAndField() throws Exception {
            host.confWith(105).agentSocket(105).policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z"));
            Files.createDirectories(host.paths().configFile().getParent());
            Files.writeString(host.paths().configFile(), "{\"agentTimeout\":\"P2D\"}");

            assertEquals(2, run("apply", "105"));

            assertEquals(List.of("time-shift: " + host.paths().configFile() + ": field 'agentTimeout': P2D is out of range;"
                    + " use PT0.1S to PT10M (default PT3S)"), errLines());
        }
    }

    @Nested
    class Verbose {
        @Test
        void printsAStackTraceOnlyWithVerbose() throws Exception {
            threeAuditLines();
            editAuditLine(2);

            assertEquals(1, run("audit", "--verify"));
            assertFalse(err.toString().contains("\tat "), err.toString());

            assertEquals(1, run("audit", "--verify", "--verbose"));
            assertTrue(err.toString().contains("CheckFailedException"), err.toString());
            assertTrue(err.toString().contains("\tat "), err.toString());

            assertEquals(1, run("-v", "audit", "--verify"));
            assertTrue(err.toString().contains("\tat "), err.toString());
        }
    }

    @Test
    void applyRunsTheWorkerAgainstTheAgentAndReportsJson() {
        host.confWith(105).agentSocket(105).policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z").with("timeSync", "keep"));

        assertEquals(0, run("apply", "105", "--json", "--no-hold"));

        Map<String, Object> m = Json.parseObject(out.toString(), "stdout");
        assertEquals("ok", m.get("result"));
        assertEquals("2021-03-01T12:00:00Z", m.get("guestTimeAfter"));
        assertEquals("alice", new TempHost(dir).auditEntries().get(0).get("actor"));
        assertEquals(Instant.parse("2021-03-01T12:00:00Z"), ga.guestNow());
    }

    @Test
    void versionAndHelpExitZero() {
        assertEquals(0, run("--version"));
        assertTrue(out.toString().startsWith("time-shift "), out.toString());
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("Exit codes: 0 ok, 1 a check failed, 2 invalid input, 3 environment not usable."));
    }
}

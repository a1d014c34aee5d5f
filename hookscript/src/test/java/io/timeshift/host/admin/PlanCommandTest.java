package io.timeshift.host.admin;

import io.timeshift.host.io.Json;
import io.timeshift.host.notes.ArgvText;
import io.timeshift.pve.qga.testing.FakeQemuGa.ExecReply;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code time-shift plan}: time-shift-guest plan through guest-exec, printed; --apply writes the date. */
class PlanCommandTest {
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");
    private static final String WINDOW = "{\"window\":{\"notBefore\":\"2019-01-01T00:00:00Z\",\"notAfter\":\"2022-01-01T00:00:00Z\"},"
            + "\"suggested\":\"2020-07-02T12:00:00Z\",\"targets\":[{\"target\":\"idrac1.mgmt.example:443\",\"window\":{\"notBefore\":"
            + "\"2018-01-01T00:00:00Z\",\"notAfter\":\"2022-01-01T00:00:00Z\"},\"error\":null},{\"target\":\"https://ilo3.mgmt.example\","
            + "\"window\":{\"notBefore\":\"2019-01-01T00:00:00Z\",\"notAfter\":\"2023-01-01T00:00:00Z\"},\"error\":null}],\"conflicts\":[]}";
    private static final String NO_WINDOW = "{\"window\":null,\"suggested\":null,\"targets\":[{\"target\":\"a.example:443\",\"window\":"
            + "{\"notBefore\":\"2010-01-01T00:00:00Z\",\"notAfter\":\"2012-01-01T00:00:00Z\"},\"error\":null},{\"target\":\"b.example:443\","
            + "\"window\":{\"notBefore\":\"2015-01-01T00:00:00Z\",\"notAfter\":\"2017-01-01T00:00:00Z\"},\"error\":null}],\"conflicts\":"
            + "[{\"targets\":[\"a.example:443\",\"b.example:443\"],\"reason\":\"their windows do not overlap\"}]}";

    @TempDir
    Path dir;

    private FakePveNode node;
    private ExecReply guest;

    @BeforeEach
    void runningVm() {
        node = new FakePveNode(dir, new MutableClock(T0));
        node.running();
        guest = new ExecReply(0, WINDOW, "");
        node.ga.onExec((path, args) -> path.equals(GuestTool.PATH) ? guest : new ExecReply(127, "", ""));
    }

    @Nested
    class Planning {
        @Test
        void runsTimeShiftGuestPlanInTheGuestAndPrintsItsResult() {
            assertEquals(0, node.run("plan", "105", "--target", "idrac1.mgmt.example:443", "--target", "https://ilo3.mgmt.example"),
                    node.err.toString());
            assertEquals(List.of(List.of(GuestTool.PATH, "plan", "--json", "idrac1.mgmt.example:443", "https://ilo3.mgmt.example")),
                    node.ga.execs());
            String out = node.out();
            assertTrue(out.contains("  idrac1.mgmt.example:443  2018-01-01T00:00:00Z .. 2022-01-01T00:00:00Z"), out);
            assertTrue(out.contains("common window: 2019-01-01T00:00:00Z .. 2022-01-01T00:00:00Z"), out);
            assertTrue(out.contains("suggested date: 2020-07-02T12:00:00Z"), out);
            assertTrue(node.writes().isEmpty());
        }

        @Test
        void noCommonWindowIsExit1NamingTheConflict() {
            guest = new ExecReply(1, NO_WINDOW, "");
            assertEquals(1, node.run("plan", "105", "--target", "a.example", "--target", "b.example"));
            assertTrue(node.out().contains("conflict: a.example:443, b.example:443: their windows do not overlap (they need separate VMs)"),
                    node.out());
        }

        @Test
        void jsonPrintsTheGuestsObject() {
            assertEquals(0, node.run("plan", "105", "--target", "idrac1.mgmt.example:443", "--json"));
            Map<String, Object> m = Json.parseObject(node.out(), "stdout");
            assertEquals("2020-07-02T12:00:00Z", m.get("suggested"));
            assertEquals(2, ((List<?>) m.get("targets")).size());
        }

        @Test
        void thePolicysTargetsAreUsedWhenNoneAreNamed() {
            node.host.policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z").with("targets", List.of("https://idrac-r710.mgmt.example")));
            assertEquals(0, node.run("plan", "105"));
            assertEquals(List.of(GuestTool.PATH, "plan", "--json", "https://idrac-r710.mgmt.example"), node.ga.execs().get(0));
        }
    }

    @Nested
    class Apply {
        @Test
        void writesTheSuggestedDateIntoPolicyStartdateAndNotesLine() {
            node.host.policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z"));
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105-enabled.json"));
            assertEquals(0, node.run("plan", "105", "--target", "idrac1.mgmt.example:443", "--apply"), node.err.toString());
            Map<String, Object> p = Json.parseObject(node.policyText(), "policy");
            assertEquals("fixed", p.get("mode"));
            assertEquals("2020-07-02T12:00:00Z", p.get("date"));
            assertEquals(List.of("idrac1.mgmt.example:443"), p.get("targets"));
            String sep = ArgvText.separator();
            assertEquals(List.of("pvesh", "set", FakePveNode.CONFIG, "--output-format", "json", "--startdate", "2020-07-02T12:00:00",
                    "--description", "Jump host for the old iDRACs\nowner: ops\ntime-shift: fixed 2020-07-02T12:00:00Z" + sep
                            + "last apply -" + sep + "drift -",
                    "--digest", FakePveNode.DIGEST_ENABLED), node.writes().get(0));
            assertEquals("plan-apply", node.host.auditEntries().get(0).get("action"));
        }

        @Test
        void aWindowsGuestGetsTheDateInItsZoneAtThatDateAndKeepsThePolicysZone() {
            node.host.policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z").with("guestZone", "Europe/Berlin"));
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105-enabled.json")
                    .replace("\"ostype\":\"l26\"", "\"ostype\":\"win10\""));

            assertEquals(0, node.run("plan", "105", "--target", "idrac1.mgmt.example:443", "--apply"), node.err.toString());

            List<String> w = node.writes().get(0);
            assertEquals("2020-07-02T14:00:00", w.get(w.indexOf("--startdate") + 1), "CEST on 2020-07-02: +02:00");
            assertEquals("Europe/Berlin", Json.parseObject(node.policyText(), "policy").get("guestZone"));
            assertTrue(node.out().contains("startdate 2020-07-02T14:00:00 (the guest's local time)"), node.out());
        }

        @Test
        void aLocaltimeGuestWithoutAZoneUsesTheOffsetTheLastApplyLearned() {
            node.host.policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z"));
            new io.timeshift.host.state.StateStore(node.host.paths()).update(105, s -> s.guestZone(
                    new io.timeshift.host.time.GuestRtc.Learned(-18000, "EST", T0)));
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105-enabled.json")
                    .replace("\"ostype\":\"l26\"", "\"ostype\":\"l26\",\"localtime\":\"1\""));

            assertEquals(0, node.run("plan", "105", "--target", "idrac1.mgmt.example:443", "--apply"), node.err.toString());

            List<String> w = node.writes().get(0);
            assertEquals("2020-07-02T07:00:00", w.get(w.indexOf("--startdate") + 1));
        }

        @Test
        void aFailedConfigUpdatePutsThePreviousPolicyBack() {
            String before = PolicyJson.fixed(105, "2021-03-01T12:00:00Z").text();
            node.host.policy(105, before);
            node.fail("set", FakePveNode.CONFIG, "checksum mismatch (file change by other user?)\n");
            assertEquals(3, node.run("plan", "105", "--target", "idrac1.mgmt.example:443", "--apply"));
            assertEquals(before, node.policyText());
        }

        @Test
        void anOffsetPolicyIsExit2BeforeAnythingRuns() {
            node.host.policy(PolicyJson.offset(105, "-P1095D"));
            assertEquals(2, node.run("plan", "105", "--target", "idrac1.mgmt.example:443", "--apply"));
            assertTrue(node.errLines().get(0).contains("mode offset"), node.errLines().get(0));
            assertTrue(node.ga.execs().isEmpty());
        }
    }

    @Nested
    class Faults {
        @Test
        void timeShiftGuestMissingInTheGuestIsExit3WithTheInstallCommand() {
            guest = new ExecReply(127, "", "");
            assertEquals(3, node.run("plan", "105", "--target", "idrac1.mgmt.example"));
            assertEquals(List.of("time-shift: VM 105: /usr/bin/time-shift-guest not found in the guest; install time-shift-guest in"
                    + " the VM (apt install ./time-shift-guest_*.deb)"), node.errLines());
        }

        @Test
        void aTargetTheGuestCannotReachIsExit3WithItsErrorListed() {
            guest = new ExecReply(3, "{\"window\":null,\"suggested\":null,\"targets\":[{\"target\":\"idrac1.mgmt.example:443\","
                    + "\"window\":null,\"error\":\"connection refused\"}],\"conflicts\":[]}", "");
            assertEquals(3, node.run("plan", "105", "--target", "idrac1.mgmt.example"));
            assertTrue(node.out().contains("  idrac1.mgmt.example:443  error: connection refused"), node.out());
            assertEquals(1, node.errLines().size());
            assertTrue(node.errLines().get(0).contains("a target could not be probed from the guest"), node.errLines().get(0));
        }

        @Test
        void noTargetAtAllIsExit2() {
            assertEquals(2, node.run("plan", "105"));
            assertTrue(node.errLines().get(0).contains("name at least one --target"), node.errLines().get(0));
        }

        @Test
        void aStoppedVmIsExit3() {
            node.ga.vmStopped();
            assertEquals(3, node.run("plan", "105", "--target", "idrac1.mgmt.example"));
            assertTrue(node.errLines().get(0).contains("VM 105 is not running on this node"), node.errLines().get(0));
        }
    }
}

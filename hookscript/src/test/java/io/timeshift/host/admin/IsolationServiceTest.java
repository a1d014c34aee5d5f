package io.timeshift.host.admin;

import io.timeshift.host.cli.Prompt;
import io.timeshift.host.cli.IsolateCommand;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.testsupport.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IsolationService}'s typed values for {@code isolate on|off}: previews with every part or nothing
 * to do, results with every part, and how {@code isolate} shows them.
 */
class IsolationServiceTest {
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");
    private static final String FW = "/nodes/pve1/qemu/105/firewall";
    private static final String NET0 = "virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,tag=20";
    private static final String NET1 = "e1000=BC:24:11:2A:3B:4D,bridge=vmbr1,firewall=0,link_down=1";
    private static final String NET1_ISOLATED = "e1000=BC:24:11:2A:3B:4D,bridge=vmbr1,firewall=1,link_down=1";
    private static final List<String> TARGETS = List.of("https://idrac.mgmt:8443", "192.0.2.10");

    @TempDir
    Path dir;

    private FakePveNode node;

    /** idrac.mgmt is 192.0.2.20; no other name resolves. */
    private static final Isolation.Resolver RESOLVER = host -> {
        if (host.equals("idrac.mgmt")) {
            return List.of("192.0.2.20");
        }
        throw new UnknownHostException(host);
    };

    @BeforeEach
    void node() {
        node = new FakePveNode(dir, new MutableClock(T0));
        node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105.json").replace(
                "\"net0\":\"virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,firewall=1\"",
                "\"net0\":\"" + NET0 + "\",\"net1\":\"" + NET1 + "\""));
        node.reply("get", FW + "/options", FakePveNode.fixture("firewall-options-105.json"));
        node.reply("get", FW + "/ipset", FakePveNode.fixture("firewall-ipsets-105.json"));
        node.reply("get", FW + "/rules", FakePveNode.fixture("firewall-rules-105.json"));
        node.reply("get", "/cluster/firewall/options", FakePveNode.fixture("cluster-firewall-options.json"));
    }

    private IsolationService service() {
        return new IsolationService(node.host.paths(), node.env, node.clock, node.clients()::asRoot, RESOLVER);
    }

    /** The firewall options before isolation: enable unset, policy_out ACCEPT. */
    private static Map<String, Object> oldOptions() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("enable", null);
        options.put("policy_out", "ACCEPT");
        return options;
    }

    private static Map<String, Object> record(List<String> members, List<String> rules) {
        Map<String, Object> options = oldOptions();
        Map<String, Object> nets = new LinkedHashMap<>();
        nets.put("net0", NET0);
        nets.put("net1", NET1);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("ipset", "time-shift-bmc");
        record.put("members", members);
        record.put("rules", rules);
        record.put("options", options);
        record.put("nets", nets);
        return record;
    }

    private static final List<String> OLD_RULES = List.of("time-shift isolate: BMCs on tcp/443", "time-shift isolate: DNS to 192.0.2.53");

    private void policy(boolean isolated) {
        Map<String, Object> original = new LinkedHashMap<>();
        original.put("startdate", null);
        original.put("hookscript", null);
        original.put("agent", "fstrim_cloned_disks=1");
        if (isolated) {
            original.put("firewall", record(List.of("192.0.2.10"), OLD_RULES));
        }
        node.host.policy(105, PolicyJson.fixed(105, "2021-03-01T12:00:00Z").with("targets", TARGETS).with("original", original).text());
    }

    /** The fake answers as PVE does for an isolated VM: our IP set and rules, firewall on, firewall=1 on the NICs. */
    private void isolatedAnswers() {
        node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105-enabled.json").replace(
                "\"net0\":\"virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,firewall=1\"",
                "\"net0\":\"" + NET0 + ",firewall=1\",\"net1\":\"" + NET1_ISOLATED + "\""));
        node.isolatedFirewall();
        node.reply("get", FW + "/ipset", "[{\"comment\":\"time-shift: the BMCs this VM is for\",\"digest\":\"1a1a\","
                + "\"name\":\"time-shift-bmc\"},{\"comment\":\"the admin's own\",\"digest\":\"1a1a\",\"name\":\"office\"}]");
    }

    private static final List<String> UNDO_LINES = List.of(
            "firewall of VM 105 (isolation undone through the Proxmox API):",
            "  -ipset time-shift-bmc",
            "  -rule 'time-shift isolate: BMCs on tcp/443'",
            "  -rule 'time-shift isolate: DNS to 192.0.2.53'",
            "  options back to enable unset, policy_out ACCEPT");

    private static final List<String> ON_LINES = List.of(
            "firewall of VM 105 (through the Proxmox API):",
            "  idrac.mgmt resolved to 192.0.2.20",
            "  +ipset time-shift-bmc: 192.0.2.20, 192.0.2.10",
            "  +rule OUT ACCEPT dest +time-shift-bmc tcp/443",
            "  +rule OUT ACCEPT dest +time-shift-bmc tcp/8443",
            "  +rule OUT ACCEPT DNS dest 192.0.2.53",
            "  -enable: (unset, off)",
            "  +enable: 1",
            "  -policy_out: ACCEPT",
            "  +policy_out: DROP",
            "  -net0: " + NET0,
            "  +net0: " + NET0 + ",firewall=1",
            "  -net1: " + NET1,
            "  +net1: " + NET1_ISOLATED);

    private static final String CLUSTER_OFF = "warning: the datacenter firewall is off, so the VM firewall takes no effect until it"
            + " is on: pvesh set /cluster/firewall/options --enable 1 (allow SSH/8006 to the nodes first)";

    @Nested
    class On {
        @Test
        void thePreviewOfAVmIsolatedAlreadyWithTheDatacenterFirewallOffHasEveryPart() {
            policy(true);
            node.reply("get", "/cluster/firewall/options", "{\"digest\":\"a1b2\"}");

            IsolationPreview.On p = service().previewOn(105, List.of("192.0.2.53"), true);

            assertEquals(105, p.vmid());
            assertTrue(p.already());
            assertEquals(new Isolation.Undo(105, "time-shift-bmc", OLD_RULES, oldOptions()), p.undo());
            Map<String, String> members = new LinkedHashMap<>();
            members.put("192.0.2.20", "idrac.mgmt");
            members.put("192.0.2.10", "192.0.2.10");
            Isolation.Plan plan = new Isolation.Plan(105, List.of(
                    new Isolation.Endpoint("https://idrac.mgmt:8443", "idrac.mgmt", 8443, List.of("192.0.2.20")),
                    new Isolation.Endpoint("192.0.2.10", "192.0.2.10", 443, List.of("192.0.2.10"))),
                    new Isolation.Desired(members, Set.of(443, 8443), List.of("192.0.2.53")),
                    List.of(new Isolation.Change("enable", null, "off", "1"), new Isolation.Change("policy_out", "ACCEPT", "ACCEPT", "DROP")),
                    false,
                    List.of(new Isolation.Change("net0", NET0, null, NET0 + ",firewall=1"), new Isolation.Change("net1", NET1, null,
                            NET1_ISOLATED)));
            assertEquals(new IsolationPreview.Firewall(105, plan, IsolationPreview.Cluster.OFF), p.firewall());
            assertEquals(List.of(), node.writes(), "a preview changes nothing");
        }

        @Test
        void withoutTheLookAtTheDatacenterFirewallTheClusterIsUnknownAndNotAsked() {
            policy(false);
            IsolationPreview.On p = service().previewOn(105, List.of(), false);
            assertFalse(p.already());
            assertEquals(null, p.undo());
            assertEquals(null, p.firewall().cluster());
            assertFalse(node.calls().stream().anyMatch(c -> c.get(2).equals("/cluster/firewall/options")), node.calls().toString());
        }

        @Test
        void theResultHasEveryPart() throws Exception {
            policy(false);
            Files.createDirectories(node.host.paths().auditLog()); // cannot be written: a warning, the change stands
            IsolationService svc = service();
            List<String> rolledBack = new ArrayList<>();

            IsolationResult.On r = svc.on(svc.previewOn(105, List.of("192.0.2.53"), true), rolledBack::add);

            assertEquals(new IsolationResult.On(105, List.of("192.0.2.20", "192.0.2.10"), Set.of(443, 8443), List.of("192.0.2.53"),
                    record(List.of("192.0.2.20", "192.0.2.10"), List.of("time-shift isolate: BMCs on tcp/443",
                            "time-shift isolate: BMCs on tcp/8443", "time-shift isolate: DNS to 192.0.2.53")),
                    List.of("warning: not recorded in the audit log: cannot append to audit log " + node.host.paths().auditLog()
                            + ": it is a directory; move it away (the log is a file)")), r);
            assertEquals(List.of(443, 8443), List.copyOf(r.ports()), "in port order");
            assertEquals(List.of(), rolledBack);
            assertTrue(node.policyText().contains("\"firewall\""), node.policyText());
        }

        @Test
        void isShownAlreadyIsolatedThenUndoneThenMadeThenTheWarningThenTheDryRun() {
            policy(true);
            node.reply("get", "/cluster/firewall/options", "{\"digest\":\"a1b2\"}");
            StringWriter out = new StringWriter();

            assertEquals(0, IsolateCommand.on(service(), Prompt.NONE, new PrintWriter(out, true), 105, List.of("192.0.2.53"),
                    true, false, true));

            List<String> want = new ArrayList<>();
            want.add("VM 105 is isolated already; its firewall entries are made again for the policy's targets");
            want.addAll(UNDO_LINES);
            want.addAll(ON_LINES);
            want.add(CLUSTER_OFF);
            want.add("dry run: nothing was changed");
            assertEquals(String.join("\n", want) + "\n", out.toString());
        }

        @Test
        void aReIsolationThatFailsAfterRemovingTheOldEntriesSaysTheVmMayNotBeIsolatedInsteadOfNothingWasChanged() {
            policy(true);
            isolatedAnswers();
            // the old IP set is gone already (someone deleted it by hand): the old rules go, then making the new set fails
            node.reply("get", FW + "/ipset", "[{\"comment\":\"the admin's own\",\"digest\":\"1a1a\",\"name\":\"office\"}]");
            node.fail("create", FW + "/ipset", "unable to create ipset: storage full\n");
            IsolationService svc = service();
            IsolationPreview.On p = svc.previewOn(105, List.of("192.0.2.53"), false);
            List<String> rolledBack = new ArrayList<>();

            io.timeshift.common.error.TimeShiftException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.timeshift.common.error.TimeShiftException.class, () -> svc.on(p, rolledBack::add));

            assertTrue(e.getMessage().endsWith("; rolled back what could be, but the previous isolation's firewall entries were"
                    + " being replaced and may be removed already, so VM 105 may NOT be isolated now; its policy still records"
                    + " them: time-shift isolate 105 on makes them again"), e.getMessage());
            assertFalse(e.getMessage().contains("nothing was changed"), e.getMessage());
            assertEquals(3, e.exitCode());
            assertTrue(node.writes().stream().map(w -> String.join(" ", w)).anyMatch(w -> w.contains(" delete " + FW + "/rules/")),
                    "the old rules were deleted first: " + node.writes());
            assertTrue(node.policyText().contains("\"firewall\""), "the policy still records the isolation");
        }

        @Test
        void theResultIsShownAsTheWarningsThenWhatTheVmMayReach() throws Exception {
            policy(false);
            Files.createDirectories(node.host.paths().auditLog());
            StringWriter out = new StringWriter();

            assertEquals(0, IsolateCommand.on(service(), Prompt.NONE, new PrintWriter(out, true), 105, List.of("192.0.2.53"),
                    false, true, false));

            assertEquals("warning: not recorded in the audit log: cannot append to audit log " + node.host.paths().auditLog()
                    + ": it is a directory; move it away (the log is a file)\n"
                    + "VM 105: isolated: outbound traffic only to 192.0.2.20, 192.0.2.10 on tcp/443,8443 and DNS to 192.0.2.53"
                    + " (IP set time-shift-bmc, policy_out DROP); undo with: time-shift isolate 105 off\n", out.toString());
        }
    }

    @Nested
    class Off {
        @Test
        void ofAVmThatIsNotIsolatedIsNothingToDo() {
            policy(false);
            assertEquals(new IsolationPreview.NotIsolated(105), service().previewOff(105));
            StringWriter out = new StringWriter();
            assertEquals(0, IsolateCommand.off(service(), Prompt.NONE, new PrintWriter(out, true), 105, false, true));
            assertEquals("VM 105 is not isolated; nothing to do\n", out.toString());
            assertEquals(List.of(), node.writes());
        }

        @Test
        void thePreviewAndTheResultHaveEveryPart() {
            policy(true);
            isolatedAnswers();
            IsolationService svc = service();

            IsolationPreview.Undo p = assertInstanceOf(IsolationPreview.Undo.class, svc.previewOff(105));
            assertEquals(105, p.vmid());
            assertEquals(new Isolation.Undo(105, "time-shift-bmc", OLD_RULES, oldOptions()), p.firewall());
            assertEquals(FakePveNode.DIGEST_ENABLED, p.digest());
            assertEquals(List.of("  -net0: " + NET0 + ",firewall=1", "  +net0: " + NET0, "  -net1: " + NET1_ISOLATED,
                    "  +net1: " + NET1), p.configLines());
            assertEquals(List.of(), node.writes(), "a preview changes nothing");

            List<String> rolledBack = new ArrayList<>();
            IsolationResult.Off r = svc.off(p, rolledBack::add);
            Map<String, String> config = new LinkedHashMap<>();
            config.put("net0", NET0);
            config.put("net1", NET1);
            assertEquals(new IsolationResult.Off(105, new Isolation.Restored(2, List.of("time-shift-bmc"), oldOptions()), config,
                    List.of()), r);
            assertEquals(List.of(), rolledBack);
            assertFalse(node.policyText().contains("\"firewall\""), node.policyText());
        }

        @Test
        void aFailedConfigUpdateReportsEachStepRolledBackAndFailsWithOneLine() {
            policy(true);
            isolatedAnswers();
            node.fail("set", FakePveNode.CONFIG, "checksum mismatch (file change by other user?)\n");
            IsolationService svc = service();
            IsolationPreview.Undo p = (IsolationPreview.Undo) svc.previewOff(105);
            List<String> rolledBack = new ArrayList<>();

            io.timeshift.common.error.TimeShiftException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.timeshift.common.error.TimeShiftException.class, () -> svc.off(p, rolledBack::add));

            assertEquals(List.of("restore the previous policy " + node.policyFile()), rolledBack);
            assertEquals("VM 105 config changed meanwhile (someone edited it after it was read); rolled back what could be, but"
                    + " the isolation's firewall entries may be removed already; its policy still records them: time-shift"
                    + " isolate 105 off finishes the undo", e.getMessage());
            assertTrue(node.policyText().contains("\"firewall\""), "the policy still records the isolation");
            assertTrue(node.writes().stream().map(w -> String.join(" ", w)).anyMatch(w -> w.contains(" delete " + FW + "/ipset/time-shift-bmc")),
                    "the IP set was deleted before the config update failed: " + node.writes());
        }
    }
}

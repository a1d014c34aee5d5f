package io.timeshift.host.admin;

import io.timeshift.host.cli.Prompt;
import io.timeshift.host.cli.DisableCommand;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.testsupport.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DisableService}'s typed values: the preview (every part of it, or nothing to do), the result
 * (every part of it) with the events it reports while it runs, and how {@code disable} shows them.
 */
class DisableServiceTest {
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");
    private static final String FW = "/nodes/pve1/qemu/105/firewall";
    private static final String NET0 = "virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,tag=20";
    private static final String NET1 = "e1000=BC:24:11:2A:3B:4D,bridge=vmbr1,firewall=0,link_down=1";
    private static final String NET1_ISOLATED = "e1000=BC:24:11:2A:3B:4D,bridge=vmbr1,firewall=1,link_down=1";
    private static final String NOTES_LINE = "time-shift: fixed 2021-03-01T12:00:00Z · last apply ok 2026-11-25T10:31Z · drift 4 ms";

    @TempDir
    Path dir;

    private FakePveNode node;

    @BeforeEach
    void node() {
        node = new FakePveNode(dir, new MutableClock(T0));
    }

    private DisableService service() {
        return new DisableService(node.host.paths(), node.env, node.clock, node.clients()::asRoot, node.ga::client,
                Duration.ofSeconds(20));
    }

    /** Events as the listener got them, one string each, in order. */
    private static final class Events implements DisableService.Listener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void rolledBack(String what) {
            seen.add("rolledBack " + what);
        }

        @Override
        public void firewallRestored(int vmid, Isolation.Restored done) {
            seen.add("firewallRestored " + vmid + " " + done);
        }

        @Override
        public void disabled(int vmid, boolean configRestored) {
            seen.add("disabled " + vmid + " " + configRestored);
        }

        @Override
        public void waitingForWorker(int vmid, Duration upTo) {
            seen.add("waitingForWorker " + vmid + " " + upTo);
        }
    }

    /** The firewall options before isolation: enable unset, policy_out ACCEPT. */
    private static Map<String, Object> oldOptions() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("enable", null);
        options.put("policy_out", "ACCEPT");
        return options;
    }

    private static final List<String> OUR_RULES = List.of("time-shift isolate: BMCs on tcp/443",
            "time-shift isolate: DNS to 192.0.2.53");

    private static Map<String, Object> firewallRecord() {
        Map<String, Object> options = oldOptions();
        Map<String, Object> nets = new LinkedHashMap<>();
        nets.put("net0", NET0);
        nets.put("net1", NET1);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("ipset", "time-shift-bmc");
        record.put("members", List.of("192.0.2.10"));
        record.put("rules", List.of("time-shift isolate: BMCs on tcp/443", "time-shift isolate: DNS to 192.0.2.53"));
        record.put("options", options);
        record.put("nets", nets);
        return record;
    }

    /**
     * An isolated, running VM whose policy fails validation (mode "bogus") but still says what enable
     * replaced, and whose hookscript the admin changed since: every part of the preview is there.
     */
    private String everyPart() throws Exception {
        Map<String, Object> original = new LinkedHashMap<>();
        original.put("startdate", "2020-01-01");
        original.put("hookscript", null);
        original.put("agent", "0");
        original.put("firewall", firewallRecord());
        String policy = PolicyJson.fixed(105, "2021-03-01T12:00:00Z").with("mode", "bogus").with("original", original).text();
        node.host.policy(105, policy);
        node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105-enabled.json")
                .replace("local:snippets/time-shift-hook", "local:snippets/backup-mount.pl")
                .replace("\"net0\":\"virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,firewall=1\"",
                        "\"net0\":\"" + NET0 + ",firewall=1\",\"net1\":\"" + NET1_ISOLATED + "\""));
        node.isolatedFirewall();
        node.reply("get", FW + "/ipset", "[{\"comment\":\"time-shift: the BMCs this VM is for\",\"digest\":\"1a1a\","
                + "\"name\":\"time-shift-bmc\"}]");
        node.running();
        node.ga.guestTime(Instant.parse("2021-03-05T10:00:00Z"));
        node.host.stateText(105, "{\"vmid\":105,\"timeSyncDisabled\":[\"systemd-timesyncd.service\",\"chrony.service\"]}\n");
        // the audit log cannot be written: a warning of the result, the change stands
        Files.createDirectories(node.host.paths().auditLog());
        return policy;
    }

    private static final List<String> EVERY_PART_CONFIG_LINES = List.of(
            "  -startdate: 2021-03-01T12:00:00",
            "  +startdate: 2020-01-01",
            "  -agent: 1,fstrim_cloned_disks=1",
            "  +agent: 0",
            "  -net0: " + NET0 + ",firewall=1",
            "  +net0: " + NET0,
            "  -net1: " + NET1_ISOLATED,
            "  +net1: " + NET1,
            "  -tags: bmc;time-shift",
            "  +tags: bmc",
            "   description (Notes):",
            "  -   " + NOTES_LINE);

    private static final List<String> EVERY_PART_FIREWALL_LINES = List.of(
            "firewall of VM 105 (isolation undone through the Proxmox API):",
            "  -ipset time-shift-bmc",
            "  -rule 'time-shift isolate: BMCs on tcp/443'",
            "  -rule 'time-shift isolate: DNS to 192.0.2.53'",
            "  options back to enable unset, policy_out ACCEPT");

    private static final String RESET = "removed /var/lib/time-shift-guest/policy.json; re-enabled systemd-timesyncd.service,"
            + " chrony.service; guest clock back to real time (2026-01-10T08:00:00Z, off by 0.0 ms)";

    @Nested
    class ThePreview {
        @Test
        void hasEveryPartOfAnIsolatedRunningVmWithAnInvalidPolicyAndAChangedHookscript() throws Exception {
            String policy = everyPart();
            DisableService svc = service();
            DisablePreview.PolicyRead read = svc.readPolicy(105);
            assertEquals(node.policyFile(), read.file());
            assertEquals(policy, read.text());
            assertEquals(node.policyFile() + ": field 'mode': 'bogus' is not a mode (use fixed, offset or continue)",
                    read.invalid());
            assertEquals("2020-01-01", read.original().startdate());
            assertEquals("0", read.original().agent());
            assertNull(read.chain());

            DisablePreview.Changes p = assertInstanceOf(DisablePreview.Changes.class, svc.preview(read, false));
            assertEquals(105, p.vmid());
            assertEquals("jump-bmc", p.name());
            assertEquals("pve1", p.node());
            assertTrue(p.running());
            assertEquals(FakePveNode.DIGEST_ENABLED, p.digest());
            assertEquals(EVERY_PART_CONFIG_LINES, p.configLines());
            assertEquals("hookscript local:snippets/backup-mount.pl is not ours (changed since enable); left as is", p.note());
            assertEquals(new Isolation.Undo(105, "time-shift-bmc", OUR_RULES, oldOptions()), p.firewallUndo());
            assertEquals(policy.lines().map(l -> "-" + l).toList(), p.policyLines());
            assertEquals(new DisablePreview.Guest(false, List.of("systemd-timesyncd.service", "chrony.service")), p.guest());
            assertEquals(List.of(), node.writes(), "a preview changes nothing");
        }

        @Test
        void ofAVmWithoutPolicyOrTracesIsNothingToDo() {
            DisableService svc = service();
            DisablePreview.PolicyRead read = svc.readPolicy(105);
            assertFalse(read.exists());
            assertNull(read.invalid());
            assertEquals(new DisablePreview.NothingToDo(105, read), svc.preview(read, false));
            assertEquals(List.of(), node.writes());
        }

        @Test
        void ofAVmThatIsGoneIsItsOrphanPolicy() {
            node.host.policy(106, PolicyJson.fixed(106, "2021-03-01T12:00:00Z").text());
            node.fail("get", "/nodes/pve1/qemu/106/config", "Configuration file 'nodes/pve1/qemu-server/106.conf' does not exist\n");
            DisableService svc = service();
            DisablePreview.Orphan o = assertInstanceOf(DisablePreview.Orphan.class, svc.preview(svc.readPolicy(106), false));
            assertEquals(node.host.paths().policyFile(106), o.policyFile());

            DisableResult.OrphanRemoved r = svc.removeOrphan(o);
            assertEquals(new DisableResult.OrphanRemoved(106, node.host.paths().policyFile(106), List.of()), r);
            assertFalse(Files.exists(node.host.paths().policyFile(106)));
        }
    }

    @Nested
    class TheResult {
        @Test
        void hasEveryPartAndTheEventsCameInTheOrderTheyHappened() throws Exception {
            everyPart();
            DisableService svc = service();
            DisablePreview.Changes p = (DisablePreview.Changes) svc.preview(svc.readPolicy(105), false);
            Events events = new Events();

            DisableResult r = svc.disable(p, events);

            Isolation.Restored restored = new Isolation.Restored(2, List.of("time-shift-bmc"), oldOptions());
            assertEquals(List.of("firewallRestored 105 " + restored, "disabled 105 true"), events.seen);
            assertEquals(105, r.vmid());
            assertEquals(restored, r.firewallRestored());
            Map<String, String> config = new LinkedHashMap<>();
            config.put("startdate", "2020-01-01");
            config.put("agent", "0");
            config.put("net0", NET0);
            config.put("net1", NET1);
            config.put("tags", "bmc");
            config.put("description", "Jump host for the old iDRACs\nowner: ops");
            assertEquals(config, r.config());
            assertTrue(r.configRestored());
            assertTrue(r.policyRemoved());
            assertTrue(r.running());
            DisableResult.Reset reset = assertInstanceOf(DisableResult.Reset.class, r.guest());
            assertEquals(new DisableResult.Reset("removed /var/lib/time-shift-guest/policy.json",
                    "re-enabled systemd-timesyncd.service, chrony.service", T0, 0, null), reset);
            assertEquals(RESET, reset.summary());
            assertEquals(List.of("systemd-timesyncd.service", "chrony.service"), r.units());
            assertEquals(List.of("warning: not recorded in the audit log: cannot append to audit log " + node.host.paths().auditLog()
                    + ": it is a directory; move it away (the log is a file)"), r.warnings());
            assertFalse(Files.exists(node.policyFile()));
        }

        @Test
        void aConfigUpdateThatFailsAfterTheIsolationWasUndoneSaysTheFirewallStaysUndoneNotNothingWasChanged() throws Exception {
            String policy = everyPart();
            node.fail("set", FakePveNode.CONFIG, "checksum mismatch (file change by other user?)\n");
            DisableService svc = service();
            DisablePreview.Changes p = (DisablePreview.Changes) svc.preview(svc.readPolicy(105), false);
            Events events = new Events();

            io.timeshift.common.error.TimeShiftException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.timeshift.common.error.TimeShiftException.class, () -> svc.disable(p, events));

            assertEquals("VM 105 config changed meanwhile (someone edited it after it was read); rolled back what could be, but"
                    + " the isolation's firewall entries are removed (shown above) and stay so; the policy still records them,"
                    + " so time-shift disable 105 can run again", e.getMessage());
            Isolation.Restored restored = new Isolation.Restored(2, List.of("time-shift-bmc"), oldOptions());
            assertEquals(List.of("firewallRestored 105 " + restored, "rolledBack restore " + node.policyFile()), events.seen);
            assertEquals(policy, node.policyText(), "the policy is back and still records the isolation");
        }

        @Test
        void ofAGuestWhoseAgentDoesNotAnswerIsResetFailedAfterTheConfigSideIsDone() {
            Map<String, Object> original = new LinkedHashMap<>();
            original.put("startdate", null);
            original.put("hookscript", null);
            original.put("agent", "fstrim_cloned_disks=1");
            node.host.policy(105, PolicyJson.fixed(105, "2021-03-01T12:00:00Z").with("original", original).text());
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105-enabled.json"));
            node.running();
            node.ga.neverAnswer();
            DisableService svc = service();
            Events events = new Events();

            DisableResult r = svc.disable((DisablePreview.Changes) svc.preview(svc.readPolicy(105), false), events);

            assertEquals(List.of("disabled 105 true"), events.seen);
            assertEquals(new DisableResult.ResetFailed("VM 105: guest agent did not answer guest-get-osinfo within 5 s"
                    + " (is qemu-guest-agent running in the guest?)"), r.guest());
            assertEquals(List.of(), r.warnings());
            assertEquals("disable", node.host.auditEntries().get(0).get("action"));
        }
    }

    @Nested
    class Shown {
        private final StringWriter out = new StringWriter();

        private int disable(boolean dryRun) {
            return DisableCommand.run(service(), Prompt.NONE, new PrintWriter(out, true), 105, dryRun, true, false);
        }

        @Test
        void everyPartInOrderThePreviewBeforeTheEventsBeforeTheResult() throws Exception {
            String policy = everyPart();
            assertEquals(0, disable(false));
            List<String> want = new ArrayList<>();
            want.add("note: the policy is invalid (" + node.policyFile() + ": field 'mode': 'bogus' is not a mode (use fixed,"
                    + " offset or continue)); using its 'original' anyway");
            want.add("VM 105 (jump-bmc) on node pve1, running");
            want.add("config of VM 105 (one update, digest " + FakePveNode.DIGEST_ENABLED + "):");
            want.addAll(EVERY_PART_CONFIG_LINES);
            want.add("note: hookscript local:snippets/backup-mount.pl is not ours (changed since enable); left as is");
            want.addAll(EVERY_PART_FIREWALL_LINES);
            want.add("policy " + node.policyFile() + " (removed):");
            policy.lines().forEach(l -> want.add("  -" + l));
            want.add("guest: remove /var/lib/time-shift-guest/policy.json, re-enable systemd-timesyncd.service, chrony.service,"
                    + " set the clock back to real time through the agent");
            want.add("VM 105: removed 2 firewall rules time-shift had added");
            want.add("VM 105: removed the IP set time-shift-bmc");
            want.add("VM 105: firewall options back to enable unset, policy_out ACCEPT");
            want.add("VM 105: time-shift disabled; config restored");
            want.add("VM 105: " + RESET);
            want.add("warning: not recorded in the audit log: cannot append to audit log " + node.host.paths().auditLog()
                    + ": it is a directory; move it away (the log is a file)");
            assertEquals(String.join("\n", want) + "\n", out.toString());
        }

        @Test
        void nothingToDoIsOneLineAndExit0() {
            assertEquals(0, disable(false));
            assertEquals("VM 105 has no time-shift policy; nothing to do\n", out.toString());
            assertEquals(List.of(), node.writes());
        }
    }
}

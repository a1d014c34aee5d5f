package io.timeshift.host.admin;

import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code time-shift disable}: restores what enable replaced, in one update; resets a running guest; idempotent. */
class DisableCommandTest {
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");

    @TempDir
    Path dir;

    private FakePveNode node;
    private String policy;

    @BeforeEach
    void enabledVm() {
        node = new FakePveNode(dir, new MutableClock(T0));
        node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105-enabled.json"));
        Map<String, Object> original = new LinkedHashMap<>();
        original.put("startdate", null);
        original.put("hookscript", null);
        original.put("agent", "fstrim_cloned_disks=1");
        policy = PolicyJson.fixed(105, "2021-03-01T12:00:00Z").with("original", original).text();
        node.host.policy(105, policy);
    }

    private void withClockMirror() throws Exception {
        Files.writeString(node.host.paths().clockMirror(105), "{\"guestTime\":\"2021-03-02T00:00:00Z\"}\n");
    }

    @Nested
    class OnAStoppedVm {
        @Test
        void restoresOriginalRemovesTagNotesAndPolicyInOneUpdate() throws Exception {
            withClockMirror();
            assertEquals(0, node.run("disable", "105", "--yes"), node.err.toString());
            assertEquals(1, node.writes().size());
            assertEquals(List.of("pvesh", "set", FakePveNode.CONFIG, "--output-format", "json",
                    "--agent", "fstrim_cloned_disks=1",
                    "--tags", "bmc",
                    "--description", "Jump host for the old iDRACs\nowner: ops",
                    "--delete", "hookscript,startdate",
                    "--digest", FakePveNode.DIGEST_ENABLED), node.writes().get(0));
            assertFalse(Files.exists(node.policyFile()));
            assertFalse(Files.exists(node.host.paths().clockMirror(105)));
            assertTrue(node.out().contains("VM 105: time-shift disabled; config restored"), node.out());
            assertTrue(node.out().contains("VM 105 is stopped, so its guest was not touched; after its next start run in the guest:"
                    + " rm -f /var/lib/time-shift-guest/policy.json"), node.out());
            List<Map<String, Object>> audit = node.host.auditEntries();
            assertEquals("disable", audit.get(audit.size() - 1).get("action"));
            assertTrue(node.host.verifyAudit(node.clock).ok());
        }

        @Test
        void restoresAChainedHookscriptInsteadOfDeletingIt() {
            Map<String, Object> original = new LinkedHashMap<>();
            original.put("startdate", "2020-02-02");
            original.put("hookscript", "local:snippets/backup-mount.pl");
            original.put("agent", "1");
            node.host.policy(105, PolicyJson.fixed(105, "2021-03-01T12:00:00Z").with("chain", "local:snippets/backup-mount.pl")
                    .with("original", original).text());
            assertEquals(0, node.run("disable", "105", "--yes"), node.err.toString());
            List<String> set = node.writes().get(0);
            assertEquals("local:snippets/backup-mount.pl", set.get(set.indexOf("--hookscript") + 1));
            assertEquals("2020-02-02", set.get(set.indexOf("--startdate") + 1));
            assertFalse(set.contains("--agent"), "the agent was on before enable: left alone");
            assertFalse(set.contains("--delete"));
        }

        @Test
        void aSecondRunSaysNothingToDoAndExits0() {
            assertEquals(0, node.run("disable", "105", "--yes"));
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105.json")); // what Proxmox now has
            int writes = node.writes().size();
            assertEquals(0, node.run("disable", "105", "--yes"));
            assertEquals("VM 105 has no time-shift policy; nothing to do\n", node.out());
            assertEquals(writes, node.writes().size());
        }

        @Test
        void dryRunShowsWhatWouldBeRestoredAndChangesNothing() {
            assertEquals(0, node.run("disable", "105", "--dry-run"));
            assertTrue(node.out().contains("  -hookscript: local:snippets/time-shift-hook\n  -startdate: 2021-03-01T12:00:00\n"), node.out());
            assertTrue(node.out().contains("policy " + node.policyFile() + " (removed):"), node.out());
            assertTrue(node.writes().isEmpty());
            assertEquals(policy, node.policyText());
        }

        @Test
        void anOrphanPolicyOfAVmThatNoLongerExistsIsRemoved() {
            node.host.policy(106, PolicyJson.fixed(106, "2021-03-01T12:00:00Z").text());
            node.fail("get", "/nodes/pve1/qemu/106/config", "Configuration file 'nodes/pve1/qemu-server/106.conf' does not exist\n");
            assertEquals(0, node.run("disable", "106", "--yes"), node.err.toString());
            assertFalse(Files.exists(node.host.paths().policyFile(106)));
            assertTrue(node.out().contains("orphan policy removed"), node.out());
            assertTrue(node.writes().isEmpty());
        }
    }

    @Nested
    class OnARunningVm {
        @BeforeEach
        void shiftedGuest() {
            node.running();
            node.ga.guestTime(Instant.parse("2021-03-05T10:00:00Z"));
            node.host.stateText(105, "{\"vmid\":105,\"timeSyncDisabled\":[\"systemd-timesyncd.service\"]}\n");
        }

        @Test
        void turnsTimeSyncBackOnAndPutsTheGuestClockBackToRealTime() {
            assertEquals(0, node.run("disable", "105", "--yes"), node.err.toString());
            assertEquals(List.of(List.of("rm", "-f", "/var/lib/time-shift-guest/policy.json"),
                    List.of("systemctl", "enable", "--now", "systemd-timesyncd.service")), node.ga.execs(),
                    "the guest's policy copy goes first: its hold unit would turn time sync off again at boot");
            assertEquals(T0, node.ga.guestNow(), "guest clock = host clock");
            assertTrue(node.out().contains("guest clock back to real time"), node.out());
            assertEquals(List.of(), node.host.state(105).get("timeSyncDisabled"));
        }

        @Test
        void keepClockLeavesTheGuestAlone() {
            assertEquals(0, node.run("disable", "105", "--yes", "--keep-clock"));
            assertTrue(node.ga.requests().isEmpty());
            assertEquals(Instant.parse("2021-03-05T10:00:00Z"), node.ga.guestNow());
            assertFalse(Files.exists(node.policyFile()));
        }

        @Test
        void anAgentThatDoesNotAnswerIsExit3SayingWhatIsLeftToDo() {
            node.ga.neverAnswer();
            assertEquals(3, node.run("disable", "105", "--yes"));
            assertEquals(1, node.errLines().size(), node.err.toString());
            assertTrue(node.errLines().get(0).contains("disabled, but the guest was not reset"), node.errLines().get(0));
            assertTrue(node.errLines().get(0).contains("systemctl enable --now systemd-timesyncd.service"), node.errLines().get(0));
            assertFalse(Files.exists(node.policyFile()), "the config side is done");
        }
    }

    @Nested
    class Faults {
        @Test
        void aDigestConflictIsExit3AndPutsPolicyAndClockMirrorBack() throws Exception {
            withClockMirror();
            node.fail("set", FakePveNode.CONFIG, "checksum mismatch (file change by other user?)\n");
            assertEquals(3, node.run("disable", "105", "--yes"));
            assertEquals(List.of("time-shift: VM 105 config changed meanwhile (someone edited it after it was read); rolled back,"
                    + " nothing was changed; run again"), node.errLines());
            assertEquals(policy, node.policyText());
            assertTrue(Files.exists(node.host.paths().clockMirror(105)));
        }

        @Test
        void aReadOnlyPmxcfsIsExit3BeforeAnyChange() throws Exception {
            Path policyDir = node.host.paths().policyDir();
            Files.setPosixFilePermissions(policyDir, PosixFilePermissions.fromString("r-xr-xr-x"));
            try {
                assertEquals(3, node.run("disable", "105", "--yes"));
                assertEquals(1, node.errLines().size());
                assertTrue(node.errLines().get(0).contains("without cluster quorum"), node.errLines().get(0));
                assertTrue(node.writes().isEmpty());
            } finally {
                Files.setPosixFilePermissions(policyDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }

        @Test
        void withoutATerminalAndWithoutYesItIsExit2() {
            assertEquals(2, node.run("disable", "105"));
            assertTrue(node.errLines().get(0).contains("pass --yes"), node.errLines().get(0));
            assertEquals(policy, node.policyText());
        }
    }
}

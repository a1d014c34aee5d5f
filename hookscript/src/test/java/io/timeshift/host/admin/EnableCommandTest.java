package io.timeshift.host.admin;

import io.timeshift.host.io.Json;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.notes.ArgvText;
import io.timeshift.host.testing.PolicyJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code time-shift enable} against a fake pvesh: validation first, one config update, rollback on failure. */
class EnableCommandTest {
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");
    private static final String SEP = ArgvText.separator();
    private static final String NOTES = "Jump host for the old iDRACs\nowner: ops\ntime-shift: fixed 2021-03-01T12:00:00Z"
            + SEP + "last apply -" + SEP + "drift -";

    @TempDir
    Path dir;

    private FakePveNode node;

    @BeforeEach
    void node() {
        node = new FakePveNode(dir, new MutableClock(T0));
    }

    private Map<String, Object> policy() {
        return Json.parseObject(node.policyText(), "policy");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> original() {
        return (Map<String, Object>) policy().get("original");
    }

    private List<String> verbsAndPaths() {
        List<String> out = new ArrayList<>();
        node.calls().forEach(c -> out.add(c.get(1) + " " + c.get(2)));
        return out;
    }

    @Nested
    class OnAStoppedVm {
        @Test
        void writesThePolicyAndMakesOneConfigUpdateCheckedAgainstTheDigest() {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01T12:00:00Z", "--target", "https://idrac.mgmt.example",
                    "--yes"), node.err.toString());

            assertEquals(List.of("get /nodes/pve1/qemu/105/config", "get /storage/local", "get /nodes/pve1/qemu/105/status/current",
                    "set /nodes/pve1/qemu/105/config"), verbsAndPaths());
            assertEquals(List.of("pvesh", "set", FakePveNode.CONFIG, "--output-format", "json",
                    "--hookscript", "local:snippets/time-shift-hook",
                    "--startdate", "2021-03-01T12:00:00",
                    "--agent", "1,fstrim_cloned_disks=1",
                    "--tags", "bmc;time-shift",
                    "--description", NOTES,
                    "--digest", FakePveNode.DIGEST), node.writes().get(0));

            Map<String, Object> p = policy();
            assertEquals("fixed", p.get("mode"));
            assertEquals("2021-03-01T12:00:00Z", p.get("date"));
            assertEquals(List.of("https://idrac.mgmt.example"), p.get("targets"));
            assertNull(original().get("startdate"));
            assertNull(original().get("hookscript"));
            assertEquals("fstrim_cloned_disks=1", original().get("agent"), "what enable replaced, for disable");
            assertTrue(node.out().contains("VM 105: time-shift enabled (fixed 2021-03-01T12:00:00Z)"), node.out());
        }

        @Test
        void policyFileIsWrittenAtomicallyWithPmxcfsMode() throws Exception {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(node.policyFile())));
            try (var s = Files.list(node.host.paths().policyDir())) {
                assertEquals(List.of("105.json"), s.map(f -> f.getFileName().toString()).toList(), "no temp files left");
            }
        }

        @Test
        void installsTheSnippetFromTheCheckoutPointingAtItsLauncher() throws Exception {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
            assertTrue(Files.isExecutable(node.snippet()));
            String script = Files.readString(node.snippet());
            assertTrue(script.startsWith("#!/bin/sh\n"), script);
            assertTrue(script.contains("exec " + node.launcher + " hook \"$@\""), script);
        }

        @Test
        void makesAnExistingButNotExecutableSnippetExecutable() throws Exception {
            Files.writeString(node.snippet(), "#!/bin/sh\nexit 0\n");
            Files.setPosixFilePermissions(node.snippet(), PosixFilePermissions.fromString("rw-r--r--"));
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
            assertEquals("#!/bin/sh\nexit 0\n", Files.readString(node.snippet()), "an existing snippet is not replaced");
            assertTrue(Files.isExecutable(node.snippet()));
        }

        @Test
        void appendsOneAuditLineNamingTheActorAndThePolicy() {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
            List<Map<String, Object>> audit = node.host.auditEntries();
            assertEquals(1, audit.size());
            assertEquals("enable", audit.get(0).get("action"));
            assertEquals("alice", audit.get(0).get("actor"));
            assertEquals(105L, ((Number) audit.get(0).get("vmid")).longValue());
            assertTrue(node.host.verifyAudit(node.clock).ok());
        }

        @Test
        void offsetModeSetsStartdateToNowPlusTheOffset() {
            assertEquals(0, node.run("enable", "105", "--offset", "-3y", "--yes"));
            assertEquals("offset", policy().get("mode"));
            assertEquals("-PT26280H", policy().get("offset"), "3 × 365 days");
            List<String> set = node.writes().get(0);
            assertEquals("2023-01-11T08:00:00", set.get(set.indexOf("--startdate") + 1), "now - 3 × 365 days");
        }

        @Test
        void replacesAnExistingNotesLineInPlaceInsteadOfAddingASecond() {
            String conf = FakePveNode.fixture("config-105.json").replace("\"Jump host for the old iDRACs\\nowner: ops\"",
                    "\"Jump host\\ntime-shift: offset -P30D · last apply ok 2025-01-01T00:00Z · drift 1 ms\\nowner: ops\"");
            node.reply("get", FakePveNode.CONFIG, conf);
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01T12:00:00Z", "--yes"));
            List<String> set = node.writes().get(0);
            assertEquals("Jump host\ntime-shift: fixed 2021-03-01T12:00:00Z" + SEP + "last apply -" + SEP + "drift -\nowner: ops",
                    set.get(set.indexOf("--description") + 1));
        }

        @Test
        void notesWithoutRoomForOurLineAreLeftUnchangedAndTheOutputSaysSo() {
            String full = "n".repeat(8150);
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105.json")
                    .replace("\"Jump host for the old iDRACs\\nowner: ops\"", "\"" + full + "\""));
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01T12:00:00Z", "--yes"), node.err.toString());
            List<String> set = node.writes().get(0);
            assertFalse(set.contains("--description"), set.toString());
            assertTrue(set.contains("--hookscript"), set.toString());
            assertTrue(node.out.toString().contains("VM 105: Notes left unchanged without the time-shift line: with it they"
                    + " would have 8214 characters, Proxmox allows 8192; shorten the Notes to make room\n"), node.out.toString());
        }

        @Test
        void notesOfCharactersOutsideTheBmpAreCountedAsProxmoxCountsThem() {
            String clocks = "\uD83D\uDD70".repeat(8000);
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105.json")
                    .replace("\"Jump host for the old iDRACs\\nowner: ops\"", "\"" + clocks + "\""));
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01T12:00:00Z", "--yes"), node.err.toString());
            List<String> set = node.writes().get(0);
            assertEquals(clocks + "\ntime-shift: fixed 2021-03-01T12:00:00Z" + SEP + "last apply -" + SEP + "drift -",
                    set.get(set.indexOf("--description") + 1), "16000 UTF-16 units, but 8064 characters");
        }

        @Test
        void reEnablingKeepsWhatTheFirstEnableRecordedAsOriginal() {
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105-enabled.json"));
            node.host.policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z").with("original",
                    Map.of("agent", "fstrim_cloned_disks=1")));
            assertEquals(0, node.run("enable", "105", "--date", "2020-01-01", "--yes"));
            assertEquals("fstrim_cloned_disks=1", original().get("agent"));
            assertNull(original().get("startdate"), "not the startdate enable itself had set");
            List<String> set = node.writes().get(0);
            assertEquals(List.of("pvesh", "set", FakePveNode.CONFIG, "--output-format", "json", "--startdate", "2020-01-01T00:00:00",
                    "--description", "Jump host for the old iDRACs\nowner: ops\ntime-shift: fixed 2020-01-01T00:00:00Z" + SEP
                            + "last apply -" + SEP + "drift -",
                    "--digest", FakePveNode.DIGEST_ENABLED), set, "only what changes");
        }

        @Test
        void dryRunShowsTheDiffAndChangesNothing() {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01T12:00:00Z", "--dry-run"));
            String out = node.out();
            assertTrue(out.contains("  +hookscript: local:snippets/time-shift-hook"), out);
            assertTrue(out.contains("  -agent: fstrim_cloned_disks=1"), out);
            assertTrue(out.contains("  +agent: 1,fstrim_cloned_disks=1"), out);
            assertTrue(out.contains("  +   time-shift: fixed 2021-03-01T12:00:00Z"), out);
            assertTrue(out.contains("  +  \"mode\" : \"fixed\","), out);
            assertTrue(out.contains("dry run: nothing was changed"), out);
            assertTrue(node.writes().isEmpty());
            assertFalse(Files.exists(node.policyFile()));
            assertFalse(Files.exists(node.snippet()));
            assertTrue(node.host.auditEntries().isEmpty());
        }

        @Test
        void withoutATerminalAndWithoutYesItRefusesAndChangesNothing() {
            assertEquals(2, node.run("enable", "105", "--date", "2021-03-01"));
            assertEquals(1, node.errLines().size(), node.err.toString());
            assertTrue(node.errLines().get(0).contains("pass --yes"), node.errLines().get(0));
            assertTrue(node.writes().isEmpty());
            assertFalse(Files.exists(node.policyFile()));
        }
    }

    @Nested
    class ExistingHookscript {
        private void foreignHook() {
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105.json")
                    .replace("\"boot\":", "\"hookscript\":\"local:snippets/backup-mount.pl\",\"boot\":"));
        }

        @Test
        void anotherHookscriptIsRefusedWithExit3() {
            foreignHook();
            assertEquals(3, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
            assertEquals(1, node.errLines().size());
            assertTrue(node.errLines().get(0).contains("local:snippets/backup-mount.pl; pass --chain"), node.errLines().get(0));
            assertTrue(node.writes().isEmpty());
            assertFalse(Files.exists(node.policyFile()));
        }

        @Test
        void withChainTheOldScriptIsKeptInThePolicyAndRecordedAsOriginal() {
            foreignHook();
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--chain", "--yes"), node.err.toString());
            assertEquals("local:snippets/backup-mount.pl", policy().get("chain"));
            assertEquals("local:snippets/backup-mount.pl", original().get("hookscript"));
            List<String> set = node.writes().get(0);
            assertEquals("local:snippets/time-shift-hook", set.get(set.indexOf("--hookscript") + 1));
        }
    }

    @Nested
    class SnippetsStorage {
        @Test
        void storageWithoutSnippetsIsRefusedWithTheExactPvesmCommand() {
            node.reply("get", "/storage/local", FakePveNode.fixture("storage-local-nosnippets.json"));
            assertEquals(3, node.run("enable", "105", "--date", "2021-03-01"));
            assertEquals(List.of("time-shift: storage 'local' does not allow snippets; run: pvesm set local --content"
                    + " iso,vztmpl,backup,snippets (or pass --yes to let time-shift do it)"), node.errLines());
            assertTrue(node.writes().isEmpty());
        }

        @Test
        void withYesItAddsSnippetsToTheStorageContentThroughPvesh() {
            node.reply("get", "/storage/local", FakePveNode.fixture("storage-local-nosnippets.json"));
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--yes"), node.err.toString());
            assertEquals(List.of("pvesh", "set", "/storage/local", "--output-format", "json", "--content", "iso,vztmpl,backup,snippets",
                    "--digest", "2f9c3b1e6a7d8e9f0a1b2c3d4e5f60718293a4b5"), node.writes().get(0));
            assertEquals("set " + FakePveNode.CONFIG, node.writes().get(1).get(1) + " " + node.writes().get(1).get(2));
        }

        @Test
        void aStorageTypeThatCannotHoldSnippetsIsExit2() {
            assertEquals(2, node.run("enable", "105", "--date", "2021-03-01", "--storage", "local-lvm", "--yes"));
            assertTrue(node.errLines().get(0).contains("'local-lvm' (type lvmthin) cannot hold snippets"), node.errLines().get(0));
        }
    }

    @Nested
    class OnARunningVm {
        @Test
        void saysStartdateWaitsForTheNextColdStartAndStartsTheApplyWorkerDetached() throws Exception {
            node.running();
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105.json").replace("fstrim_cloned_disks=1", "1"));
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--yes"), node.err.toString());
            assertTrue(node.out().contains("startdate applies from its next cold start"), node.out());
            assertTrue(node.out().contains("applying now in the background"), node.out());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(node.launched) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals("apply 105", Files.readString(node.launched).trim(), "the same worker as post-start, detached");
            @SuppressWarnings("unchecked")
            Map<String, Object> details = (Map<String, Object>) node.host.auditEntries().get(0).get("details");
            assertTrue(details.get("applyNow") instanceof Map<?, ?>, String.valueOf(details));
        }

        @Test
        void whenTheAgentWasOffItSaysAColdStartIsNeededInsteadOfApplyingNow() throws Exception {
            node.running();
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--yes"), node.err.toString());
            assertTrue(node.out().contains("the guest agent was off: QEMU only gets its channel at the next cold start"), node.out());
            Thread.sleep(200);
            assertFalse(Files.exists(node.launched), "no apply worker without an agent channel");
        }
    }

    @Nested
    class BadInput {
        @ParameterizedTest
        @ValueSource(strings = {"abc", "99", "1000000000", "-5", "105x"})
        void aVmidThatIsNotANumberFrom100To999999999IsExit2(String vmid) {
            assertEquals(2, node.run("enable", vmid, "--date", "2021-03-01", "--yes"));
            assertTrue(node.errLines().get(0).contains("is not a VMID (a number from 100 to 999999999)"), node.errLines().get(0));
            assertTrue(node.calls().isEmpty());
        }

        @Test
        void dateAndOffsetTogetherIsExit2() {
            assertEquals(2, node.run("enable", "105", "--date", "2021-03-01", "--offset", "-3y", "--yes"));
            assertTrue(node.errLines().get(0).contains("mutually exclusive"), node.errLines().get(0));
            assertTrue(node.calls().isEmpty());
        }

        @Test
        void neitherDateNorOffsetIsExit2() {
            assertEquals(2, node.run("enable", "105", "--yes"));
            assertTrue(node.calls().isEmpty());
        }

        @Test
        void aBadDurationIsExit2NamingTheOptionAndTheValidForms() {
            assertEquals(2, node.run("enable", "105", "--offset", "three years", "--yes"));
            assertEquals(1, node.errLines().size());
            assertTrue(node.errLines().get(0).startsWith("time-shift: --offset: 'three years' is not a duration (use ISO-8601"),
                    node.errLines().get(0));
            assertTrue(node.calls().isEmpty(), "validated before asking Proxmox anything");
        }

        @Test
        void aBadDateIsExit2() {
            assertEquals(2, node.run("enable", "105", "--date", "2021-13-45", "--yes"));
            assertTrue(node.errLines().get(0).contains("--date: '2021-13-45' is not a date"), node.errLines().get(0));
        }

        @Test
        void anUnknownModeIsExit2() {
            assertEquals(2, node.run("enable", "105", "--date", "2021-03-01", "--mode", "frozen", "--yes"));
            assertTrue(node.errLines().get(0).contains("--mode: 'frozen' is not a mode"), node.errLines().get(0));
        }
    }

    @Nested
    class Faults {
        @Test
        void aVmOnAnotherNodeIsExit3NamingThatNode() {
            node.fail("get", FakePveNode.CONFIG, "Configuration file 'nodes/pve1/qemu-server/105.conf' does not exist\n");
            assertEquals(3, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
            assertEquals(1, node.errLines().size());
            assertTrue(node.errLines().get(0).contains("VM 105 is on node pve2, not on this node (pve1); run it there: ssh root@pve2"),
                    node.errLines().get(0));
            assertTrue(node.writes().isEmpty());
        }

        @Test
        void aVmidThatExistsNowhereIsExit3() {
            node.fail("get", "/nodes/pve1/qemu/777/config", "Configuration file 'nodes/pve1/qemu-server/777.conf' does not exist\n");
            assertEquals(3, node.run("enable", "777", "--date", "2021-03-01", "--yes"));
            assertTrue(node.errLines().get(0).contains("VM 777 does not exist in this cluster"), node.errLines().get(0));
        }

        @Test
        void aTemplateIsRefused() {
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105.json").replace("\"tags\":", "\"template\":1,\"tags\":"));
            assertEquals(3, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
            assertTrue(node.errLines().get(0).contains("is a template"), node.errLines().get(0));
        }

        @Test
        void pveshFailingMidwayRollsBackPolicyAndSnippetAndLeavesNoFile() throws Exception {
            node.fail("set", FakePveNode.CONFIG, "only root can set 'hookscript' config\n");
            assertEquals(3, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
            assertEquals(1, node.errLines().size(), node.err.toString());
            assertTrue(node.errLines().get(0).contains("only the user root@pam may do this"), node.errLines().get(0));
            assertTrue(node.errLines().get(0).endsWith("rolled back, nothing was changed"), node.errLines().get(0));
            try (var s = Files.list(node.host.paths().policyDir())) {
                assertEquals(List.of(), s.toList(), "no policy, no temp file");
            }
            assertFalse(Files.exists(node.snippet()), "the snippet installed by this run is removed again");
            assertTrue(node.host.auditEntries().isEmpty());
        }

        @Test
        void aValueProxmoxRejectsIsExit2AndRolledBack() {
            node.fail("set", FakePveNode.CONFIG, "400 Parameter verification failed.\nstartdate: value does not match the regex pattern\n");
            assertEquals(2, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
            assertTrue(node.errLines().get(0).contains("startdate: value does not match the regex pattern"), node.errLines().get(0));
            assertFalse(Files.exists(node.policyFile()));
        }

        @Test
        void aDigestConflictIsExit3AndRestoresThePreviousPolicyByteForByte() {
            String previous = PolicyJson.fixed(105, "2019-05-05T00:00:00Z").text();
            node.host.policy(105, previous);
            node.fail("set", FakePveNode.CONFIG, "checksum mismatch (file change by other user?)\n");
            assertEquals(3, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
            assertEquals(List.of("time-shift: VM 105 config changed meanwhile (someone edited it after it was read); rolled back,"
                    + " nothing was changed; run again"), node.errLines());
            assertEquals(previous, node.policyText());
        }

        @Test
        void aReadOnlyPmxcfsIsExit3WithOneLineAndNoChange() throws Exception {
            Path policyDir = node.host.paths().policyDir();
            Files.setPosixFilePermissions(policyDir, PosixFilePermissions.fromString("r-xr-xr-x"));
            try {
                assertEquals(3, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
                assertEquals(1, node.errLines().size(), node.err.toString());
                assertTrue(node.errLines().get(0).contains("is read-only (mode 0555): /etc/pve is read-only without cluster quorum"
                        + " (check: pvecm status); nothing was changed"), node.errLines().get(0));
                assertTrue(node.writes().isEmpty());
                assertFalse(Files.exists(node.snippet()));
            } finally {
                Files.setPosixFilePermissions(policyDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }

        @Test
        void anAuditLogTruncatedMidLineIsFoundByAuditVerifyNamingTheLine() throws Exception {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
            assertEquals(0, node.run("enable", "105", "--date", "2020-01-01", "--yes"));
            Path log = node.host.paths().auditLog();
            byte[] all = Files.readAllBytes(log);
            Files.write(log, java.util.Arrays.copyOf(all, all.length - 40));
            assertEquals(1, node.run("audit", "--verify"));
            assertEquals(1, node.errLines().size());
            assertTrue(node.errLines().get(0).contains("line 2 is not a complete audit entry (no newline at its end"),
                    node.errLines().get(0));
        }
    }

    /** A guest whose RTC runs in local time reads startdate in its zone (docs/pve-rtc.md). */
    @Nested
    class GuestZone {
        private void config(String ostype, String extra) {
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105.json")
                    .replace("\"ostype\":\"l26\"", "\"ostype\":\"" + ostype + "\"" + extra));
        }

        private String startdate() {
            List<String> w = node.writes().get(0);
            return w.get(w.indexOf("--startdate") + 1);
        }

        @Test
        void aWindows11GuestGetsTheDateInTheGivenZone() {
            config("win11", "");

            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01T12:00:00Z", "--guest-zone", "Asia/Karachi", "--yes"),
                    node.err.toString());

            assertEquals("2021-03-01T17:00:00", startdate());
            assertEquals("Asia/Karachi", policy().get("guestZone"));
            assertEquals("2021-03-01T12:00:00Z", policy().get("date"), "the policy keeps the instant");
            assertTrue(node.out().contains("guest zone: Asia/Karachi (from --guest-zone): VM 105's RTC runs in local time"
                    + " (ostype win11, localtime unset)"), node.out());
        }

        @Test
        void aLinuxGuestWithoutLocaltimeKeepsUtc() {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01T12:00:00Z", "--yes"), node.err.toString());

            assertEquals("2021-03-01T12:00:00", startdate());
            assertNull(policy().get("guestZone"));
            assertTrue(node.out().contains("guest zone: not needed: VM 105's RTC runs in UTC (ostype l26, localtime unset)"),
                    node.out());
        }

        @Test
        void localtimeZeroOnWindowsMeansUtc() {
            config("win10", ",\"localtime\":0");

            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01T12:00:00Z", "--guest-zone", "+05:00", "--yes"),
                    node.err.toString());

            assertEquals("2021-03-01T12:00:00", startdate());
            assertEquals("+05:00", policy().get("guestZone"), "kept for later, not used now");
        }

        @Test
        void localtimeOneOnLinuxUsesTheZoneAndItsSummerOffsetAtTheTargetDate() {
            config("l26", ",\"localtime\":1");

            assertEquals(0, node.run("enable", "105", "--date", "2021-07-01T12:00:00Z", "--guest-zone", "Europe/Berlin", "--yes"),
                    node.err.toString());

            assertEquals("2021-07-01T14:00:00", startdate(), "CEST, +02:00 on that date");
        }

        @Test
        void withoutAZoneARunningGuestsAgentTellsIt() throws Exception {
            node.running();
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105.json")
                    .replace("\"ostype\":\"l26\"", "\"ostype\":\"win11\"").replace("fstrim_cloned_disks=1", "1"));
            node.ga.timezone(Map.of("zone", "Pakistan Standard Time", "offset", 18000));

            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01T12:00:00Z", "--yes"), node.err.toString());

            assertEquals("2021-03-01T17:00:00", startdate());
            assertEquals("+05:00", policy().get("guestZone"));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(node.launched) && System.nanoTime() < deadline) {
                Thread.sleep(20); // the detached apply worker (launcher stand-in) has written its line
            }
            assertTrue(node.out().contains("guest zone: +05:00 (from the running guest's agent, which calls it Pakistan"
                    + " Standard Time; a fixed offset: pass --guest-zone <Area/City> for daylight saving)"), node.out());
        }

        @Test
        void withoutAZoneOrAnAgentTheHostsZoneIsUsedAndNamed() {
            config("w2k8", "");
            node.env.put("TZ", "America/New_York");

            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01T12:00:00Z", "--yes"), node.err.toString());

            assertEquals("2021-03-01T07:00:00", startdate());
            assertEquals("America/New_York", policy().get("guestZone"));
            assertTrue(node.out().contains("guest zone: America/New_York (the host's zone; pass --guest-zone if the guest's"
                    + " differs)"), node.out());
        }

        @Test
        void aZoneThatIsNoneIsExit2BeforeAnythingIsAsked() {
            assertEquals(2, node.run("enable", "105", "--date", "2021-03-01", "--guest-zone", "Mars/Olympus\u0001", "--yes"));

            assertEquals(List.of(), node.calls());
            assertTrue(node.err.toString().contains("--guest-zone: 'Mars/Olympus\\x01' is not a time zone (use an IANA id like"
                    + " Asia/Karachi or an offset like +05:00)"), node.err.toString());
        }
    }
}

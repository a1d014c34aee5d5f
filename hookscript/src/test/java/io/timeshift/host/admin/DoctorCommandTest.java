package io.timeshift.host.admin;

import io.timeshift.host.io.Json;
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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code time-shift doctor}: every problem with the command that fixes it; exit 1 when there is any. */
class DoctorCommandTest {
    @TempDir
    Path dir;

    private FakePveNode node;

    @BeforeEach
    void healthyNode() throws Exception {
        node = new FakePveNode(dir, new MutableClock(Instant.parse("2026-01-10T08:00:00Z")));
        node.host.confWith(105);
        node.host.policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z"));
        Files.writeString(node.snippet(), "#!/bin/sh\nexec /usr/bin/time-shift hook \"$@\"\n");
        Files.setPosixFilePermissions(node.snippet(), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private List<String> failLines() {
        return node.out().lines().filter(l -> l.startsWith("FAIL")).toList();
    }

    @Nested
    class Healthy {
        @Test
        void aHealthyNodeIsExit0() {
            assertEquals(0, node.run("doctor"), node.out() + node.err);
            String out = node.out();
            assertTrue(out.contains("ok    Proxmox VE 8.2.4 on node pve1"), out);
            assertTrue(out.contains("ok    local:snippets/time-shift-hook (VM 105) at " + node.snippet() + " is present and executable"),
                    out);
            assertTrue(out.contains("ok    storage local allows snippets"), out);
            assertTrue(out.endsWith("doctor: no problems\n"), out);
        }

        @Test
        void jsonListsEveryCheck() {
            assertEquals(0, node.run("doctor", "--json"));
            Map<String, Object> m = Json.parseObject(node.out(), "stdout");
            assertEquals(true, m.get("ok"));
            assertEquals("pve1", m.get("node"));
            assertTrue(((List<?>) m.get("checks")).size() >= 7, String.valueOf(m.get("checks")));
        }
    }

    /** Lines Proxmox skips with a warning when it reads a config: listed, never a problem. */
    @Nested
    class ConfigWarnings {
        @Test
        void skippedConfigLinesOfAVmWithAPolicyAreWarningsAndExit0() {
            node.host.confWith(105, "tags: ok;bad!tag", "Memory: 1");

            assertEquals(0, node.run("doctor"), node.out() + node.err);

            String conf = node.host.paths().vmConf(105).toString();
            List<String> warns = node.out().lines().filter(l -> l.startsWith("warn")).toList();
            assertEquals(List.of(
                    "warn  VM 105: " + conf + ":9: unable to parse value of 'tags' - invalid characters in tag (line skipped)"
                            + " (Proxmox skips it as well; fix or remove the line)",
                    "warn  VM 105: " + conf + ":10: unable to parse config: Memory: 1 (line skipped)"
                            + " (Proxmox skips it as well; fix or remove the line)"), warns);
            assertTrue(node.out().endsWith("doctor: no problems\n"), node.out());
        }

        @Test
        void jsonHasThemUnderWarnings() {
            node.host.confWith(105, "template: maybe");

            assertEquals(0, node.run("doctor", "--json"));

            Map<String, Object> m = Json.parseObject(node.out(), "stdout");
            assertEquals(true, m.get("ok"));
            List<?> warnings = (List<?>) m.get("warnings");
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(String.valueOf(warnings.get(0)).contains(":9: unable to parse value of 'template'"), warnings.toString());
        }
    }

    @Nested
    class Problems {
        @Test
        void aMissingSnippetNamesTheInstallCommand() throws Exception {
            Files.delete(node.snippet());
            assertEquals(1, node.run("doctor"));
            assertEquals(List.of("FAIL  VM 105: hookscript local:snippets/time-shift-hook is missing at " + node.snippet()
                    + " on this node; Proxmox refuses to start the VM here (fix: install -m 0755 /usr/share/time-shift/time-shift-hook "
                    + node.snippet() + ")"), failLines());
        }

        @Test
        void aNotExecutableSnippetNamesChmod() throws Exception {
            Files.setPosixFilePermissions(node.snippet(), PosixFilePermissions.fromString("rw-r--r--"));
            assertEquals(1, node.run("doctor"));
            assertTrue(failLines().get(0).endsWith("(fix: chmod 0755 " + node.snippet() + ")"), failLines().toString());
        }

        @Test
        void aForeignHookscriptThatIsMissingIsReportedToo() {
            node.host.conf(108, "hookscript: local:snippets/backup-mount.pl\nname: other\n");
            assertEquals(1, node.run("doctor"));
            assertTrue(failLines().get(0).contains("VM 108: hookscript local:snippets/backup-mount.pl is missing"), failLines().toString());
            assertTrue(failLines().get(0).endsWith("or detach it: qm set 108 --delete hookscript)"), failLines().toString());
        }

        @Test
        void storageWithoutSnippetsNamesThePvesmCommand() {
            node.reply("get", "/storage/local", FakePveNode.fixture("storage-local-nosnippets.json"));
            assertEquals(1, node.run("doctor"));
            assertEquals(List.of("FAIL  storage local does not allow the snippets content type (fix: pvesm set local --content"
                    + " iso,vztmpl,backup,snippets)"), failLines());
        }

        @Test
        void aStorageThatCannotBeReadIsNotCalledMissing() {
            node.fail("get", "/storage/local", "Permission check failed (/storage/local, Datastore.Audit)\n");
            assertEquals(1, node.run("doctor"));
            List<String> fails = failLines();
            assertEquals(1, fails.size(), fails.toString());
            assertTrue(fails.get(0).startsWith("FAIL  cannot read storage local: "), fails.toString());
            assertTrue(fails.get(0).contains("Permission check failed"), fails.toString());
            assertTrue(fails.get(0).endsWith("(fix: check that Proxmox answers and the storage is defined: pvesh get /storage/local"
                    + " (and pvesm status))"), fails.toString());
            assertTrue(node.out().lines().noneMatch(l -> l.contains("does not exist")), node.out());
        }

        @Test
        void aStorageThatDoesNotExistIsCalledMissing() {
            node.fail("get", "/storage/local", "storage 'local' does not exist\n");
            assertEquals(1, node.run("doctor"));
            assertTrue(failLines().contains("FAIL  storage 'local' used by a time-shift hookscript does not exist (fix: time-shift"
                    + " enable <vmid> --storage <existing storage> --yes)"), failLines().toString());
        }

        @Test
        void anOrphanAndAnInvalidPolicyAreReported() {
            node.host.policy(PolicyJson.fixed(106, "2021-03-01T12:00:00Z"));
            node.host.policy(107, PolicyJson.fixed(107, "2021-03-01T12:00:00Z").with("ofset", "1d").text());
            node.host.confWith(107);
            assertEquals(1, node.run("doctor"));
            List<String> fails = failLines();
            assertTrue(fails.contains("FAIL  policy " + node.host.paths().policyFile(106) + " belongs to no VM (VM 106 does not exist)"
                    + " (fix: time-shift disable 106 --yes)"), fails.toString());
            assertTrue(fails.stream().anyMatch(l -> l.contains("field 'ofset': unknown field")
                    && l.endsWith("(fix: re-create it: time-shift enable 107 --date <when> --yes)")), fails.toString());
            assertTrue(node.out().endsWith("doctor: 2 problems\n"), node.out());
        }

        @Test
        void aReadOnlyPmxcfsIsAProblemWithTheQuorumCheck() throws Exception {
            Path policyDir = node.host.paths().policyDir();
            Files.setPosixFilePermissions(policyDir, PosixFilePermissions.fromString("r-xr-xr-x"));
            try {
                assertEquals(1, node.run("doctor"));
                assertEquals(List.of("FAIL  " + policyDir + " is read-only (mode 0555) (without quorum /etc/pve is read-only)"
                        + " (fix: check the cluster quorum: pvecm status)"), failLines());
            } finally {
                Files.setPosixFilePermissions(policyDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }

        @Test
        void missingStateAndLogDirsNameMkdir() throws Exception {
            Files.delete(node.host.paths().logDir());
            assertEquals(1, node.run("doctor"));
            assertEquals(List.of("FAIL  " + node.host.paths().logDir() + " does not exist (the package creates it) (fix: mkdir -p "
                    + node.host.paths().logDir() + ")"), failLines());
        }

        @Test
        void anotherNodeWithoutTheSnippetIsAProblemWithItsFixAndAnOfflineNodeANote() {
            node.reply("get", "/nodes", FakePveNode.fixture("nodes-three.json"));
            node.reply("get", "/nodes/pve2/storage/local/content", FakePveNode.fixture("content-snippets-other.json"));

            assertEquals(1, node.run("doctor"));

            assertEquals(List.of("FAIL  node pve2: local:snippets/time-shift-hook is missing; a VM with a time-shift policy"
                    + " that migrates or starts there will refuse to start (fix: install time-shift-proxmox on pve2 (its postinst"
                    + " puts the snippet into /var/lib/vz/snippets/), or put the snippet on shared storage (time-shift enable"
                    + " <vmid> --storage <shared storage with snippets>))"), failLines());
            assertTrue(node.out().contains("note  node pve3 (offline) was not checked for the snippet"), node.out());
            // every node's listing as root@pam (pvesh): PVE shows snippet volumes only to root or with Datastore.Allocate
            assertTrue(node.calls().stream().anyMatch(c -> c.get(2).equals("/nodes/pve2/storage/local/content")),
                    node.calls().toString());
        }

        @Test
        void theSnippetOnAnotherNodeIsCheckedOnlyForVmsWithAPolicy() {
            node.reply("get", "/nodes", FakePveNode.fixture("nodes-three.json"));
            node.reply("get", "/nodes/pve2/storage/local/content", FakePveNode.fixture("content-snippets-other.json"));
            node.host.conf(105, "agent: 1\nname: jump-vm\n"); // no hookscript: its own problem, nothing to look for elsewhere

            node.run("doctor");

            assertTrue(failLines().stream().noneMatch(l -> l.contains("node pve2")), failLines().toString());
            assertTrue(node.calls().stream().noneMatch(c -> c.get(2).equals("/nodes")), node.calls().toString());
        }

        @Test
        void noPveshIsAProblemNotACrash() {
            node.env.put("PATH", "/usr/bin:/bin");
            assertEquals(1, node.run("doctor"));
            assertTrue(failLines().get(0).startsWith("FAIL  cannot ask Proxmox: pvesh not found on PATH"), failLines().toString());
        }
    }
}

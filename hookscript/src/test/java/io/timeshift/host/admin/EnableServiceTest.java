package io.timeshift.host.admin;

import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.host.apply.Detacher;
import io.timeshift.testsupport.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EnableService} as values: the preview it returns before anything changes, what {@link EnableService#apply}
 * changed (or rolled back), and what {@link EnableService#finish} did for a running guest. The bytes the CLI makes
 * of them are {@code EnableCommandTest}'s and {@code cli.EnableRendererTest}'s.
 */
class EnableServiceTest {
    private static final String INVALID_POLICY = "{\"version\": 1, \"vmid\": 105, \"mode\": \"bogus\"}";
    private static final String FOREIGN = "local:snippets/backup-mount.pl";

    @TempDir
    Path dir;

    private FakePveNode node;

    @BeforeEach
    void node() {
        node = new FakePveNode(dir, new MutableClock(Instant.parse("2026-01-10T08:00:00Z")));
    }

    private EnableService service() {
        return new EnableService(node.host.paths(), node.env, node.clock, node.clients()::asRoot, new Detacher(node.env),
                new SnippetInstaller(node.host.paths().pveDir(), node.env, SnippetInstaller.INSTALLED_COPY), node.ga::client);
    }

    private static EnableService.Request request(boolean chain, boolean dryRun, boolean yes) {
        return new EnableService.Request(105, "2021-03-01T12:00:00Z", null, null, null, "local", null, false, null, List.of(),
                chain, dryRun, yes, null);
    }

    /** Every optional part present: an invalid old policy, Notes without room, no snippets content, no snippet, a chain. */
    private void everything() {
        node.host.policy(105, INVALID_POLICY);
        node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105.json")
                .replace("\"Jump host for the old iDRACs\\nowner: ops\"", "\"" + "n".repeat(8150) + "\"")
                .replace("\"boot\":", "\"hookscript\":\"" + FOREIGN + "\",\"boot\":"));
        node.reply("get", "/storage/local", FakePveNode.fixture("storage-local-nosnippets.json"));
    }

    @Nested
    class Preview {
        @Test
        void namesEveryChangeAndChangesNothing() {
            everything();

            EnableService.Preview p = service().preview(request(true, false, true));

            assertEquals(105, p.vmid());
            assertEquals("jump-bmc", p.vmName());
            assertEquals("pve1", p.node());
            assertFalse(p.running());
            assertEquals("fixed 2021-03-01T12:00:00Z", p.policySummary());
            assertEquals(node.policyFile() + ": field 'mode': 'bogus' is not a mode (use fixed, offset or continue)",
                    p.invalidPolicy());
            assertEquals("guest zone: not needed: VM 105's RTC runs in UTC (ostype l26, localtime unset)", p.guestZoneLine());
            assertEquals("VM 105: Notes left unchanged without the time-shift line: with it they would have 8214 characters,"
                    + " Proxmox allows 8192; shorten the Notes to make room", p.notesLine());
            assertEquals(new EnableService.StorageChange("local", List.of("iso", "vztmpl", "backup"), "iso,vztmpl,backup,snippets"),
                    p.storageChange());
            assertEquals(new EnableService.SnippetFix(node.snippet(), SnippetInstaller.Problem.MISSING,
                    "a two-line script running " + node.launcher), p.snippetFix());
            assertEquals(FOREIGN, p.chain());
            assertEquals(FakePveNode.DIGEST, p.digest());
            assertEquals(List.of("-hookscript: " + FOREIGN, "+hookscript: local:snippets/time-shift-hook",
                    "+startdate: 2021-03-01T12:00:00", "-agent: fstrim_cloned_disks=1", "+agent: 1,fstrim_cloned_disks=1",
                    "-tags: bmc", "+tags: bmc;time-shift"), p.configDiff(), "no Notes line: no room for it");
            assertEquals(node.policyFile(), p.policyFile());
            assertFalse(p.policyIsNew());
            assertEquals("-" + INVALID_POLICY, p.policyDiff().get(0));
            assertTrue(p.policyDiff().contains("+  \"chain\" : \"" + FOREIGN + "\","), p.policyDiff().toString());
            assertTrue(p.yes());

            assertEquals(List.of(), node.writes());
            assertEquals(INVALID_POLICY, node.policyText());
            assertFalse(Files.exists(node.snippet()));
        }

        @Test
        void ofAVmWithNothingToFixHasNoOptionalParts() {
            EnableService.Preview p = service().preview(request(false, false, true));

            assertNull(p.invalidPolicy());
            assertNull(p.notesLine());
            assertNull(p.storageChange());
            assertNull(p.chain());
            assertTrue(p.policyIsNew());
            assertTrue(p.configDiff().contains(" description (Notes):"), p.configDiff().toString());
        }

        @Test
        void refusedAfterFindingTheOldPolicyInvalidCarriesThatNoteAndTheOneLineFailure() {
            everything();

            EnableService.Refused r = assertThrows(EnableService.Refused.class, () -> service().preview(request(false, false, true)));

            assertTrue(r.invalidPolicy().endsWith("'bogus' is not a mode (use fixed, offset or continue)"), r.invalidPolicy());
            assertEquals(TimeShiftException.ENVIRONMENT, r.error().exitCode());
            assertTrue(r.error().getMessage().startsWith("VM 105 already has the hookscript " + FOREIGN + "; pass --chain"),
                    r.error().getMessage());
        }

        @Test
        void aStorageWithoutSnippetsIsRefusedWithoutYesEvenForAPreviewMadeAsADryRun() {
            node.reply("get", "/storage/local", FakePveNode.fixture("storage-local-nosnippets.json"));
            EnableService svc = service();
            EnableService.Preview p = svc.preview(request(false, true, false));
            assertFalse(p.yes());

            EnvironmentException e = assertThrows(EnvironmentException.class, () -> svc.apply(p));

            assertEquals("storage 'local' does not allow snippets; run: pvesm set local --content iso,vztmpl,backup,snippets"
                    + " (or pass --yes to let time-shift do it)", e.getMessage());
            assertEquals(List.of(), node.writes());
        }
    }

    @Nested
    class Apply {
        @Test
        void returnsWhatItChanged() {
            node.reply("get", "/storage/local", FakePveNode.fixture("storage-local-nosnippets.json"));
            EnableService svc = service();

            EnableService.Enabled e = svc.apply(svc.preview(request(false, false, true)));

            assertEquals("iso,vztmpl,backup,snippets", e.storageContent());
            assertEquals(node.snippet(), e.snippetInstalled());
            assertNull(e.snippetChmod());
            assertEquals(node.policyFile(), e.policyFile());
            assertEquals(List.of("hookscript", "startdate", "agent", "tags", "description"), List.copyOf(e.config().keySet()));
            assertEquals("fixed 2021-03-01T12:00:00Z", e.policySummary());
            assertFalse(e.canApplyNow(), "stopped");
            assertTrue(node.host.auditEntries().isEmpty(), "the audit entry is finish's");
        }

        @Test
        void afterAFailedConfigUpdateReturnsTheStepsRolledBackNewestFirstAndTheFailure() {
            everything();
            node.fail("set", FakePveNode.CONFIG, "checksum mismatch (file change by other user?)\n");
            EnableService svc = service();
            EnableService.Preview p = svc.preview(request(true, false, true));

            Rollback.Failed f = assertThrows(Rollback.Failed.class, () -> svc.apply(p));

            assertEquals(List.of("restore the previous policy " + node.policyFile(), "remove " + node.snippet(),
                    "storage local content back to iso,vztmpl,backup"), f.rolledBack());
            assertInstanceOf(EnvironmentException.class, f.error());
            assertEquals("VM 105 config changed meanwhile (someone edited it after it was read); rolled back, nothing was"
                    + " changed; run again", f.error().getMessage());
            assertEquals(INVALID_POLICY, node.policyText(), "the previous policy byte for byte");
            assertFalse(Files.exists(node.snippet()));
            assertEquals(List.of("pvesh", "set", "/storage/local", "--output-format", "json", "--content", "iso,vztmpl,backup"),
                    node.writes().get(node.writes().size() - 1), "the storage's content put back last");
            assertTrue(node.host.auditEntries().isEmpty());
        }
    }

    @Nested
    class Finish {
        private EnableService.Enabled enabledOnARunningVm(String agent) {
            node.running();
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105.json").replace("fstrim_cloned_disks=1", agent));
            EnableService svc = service();
            return svc.apply(svc.preview(request(false, false, true)));
        }

        @Test
        void aRunningGuestNotAskedToApplyNowIsLeftForTimeShiftApply() {
            EnableService.Enabled e = enabledOnARunningVm("1");
            assertTrue(e.canApplyNow());

            EnableService.Result r = service().finish(e, false);

            assertEquals(EnableService.ApplyNow.NOT_ASKED, r.applyNow());
            assertEquals(0, r.exitCode());
            assertNull(r.auditWarning());
            assertEquals(1, node.host.auditEntries().size());
            assertFalse(((Map<?, ?>) node.host.auditEntries().get(0).get("details")).containsKey("applyNow"));
        }

        @Test
        void aRunningGuestAskedToApplyNowGetsTheWorkerWithItsPidAndLog() throws Exception {
            EnableService.Result r = service().finish(enabledOnARunningVm("1"), true);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(node.launched) && System.nanoTime() < deadline) {
                Thread.sleep(20); // the detached worker (launcher stand-in) has written its line
            }

            assertEquals(EnableService.ApplyNow.STARTED, r.applyNow());
            assertTrue(r.pid() > 0, String.valueOf(r.pid()));
            assertEquals(node.host.paths().workerLog(105), r.workerLog());
            assertTrue(((Map<?, ?>) node.host.auditEntries().get(0).get("details")).get("applyNow") instanceof Map<?, ?>);
            assertEquals("apply 105", Files.readString(node.launched).trim());
        }

        @Test
        void aGuestWhoseAgentWasOffNeedsAColdStartWhateverWasAsked() {
            EnableService.Enabled e = enabledOnARunningVm("0");
            assertFalse(e.canApplyNow());

            EnableService.Result r = service().finish(e, true);

            assertEquals(EnableService.ApplyNow.COLD_START_NEEDED, r.applyNow());
            assertEquals(0, r.pid());
        }

        @Test
        void anAuditLogThatCannotBeWrittenIsAWarningNotAFailure() throws Exception {
            EnableService svc = service();
            EnableService.Enabled e = svc.apply(svc.preview(request(false, false, true)));
            Files.createDirectories(node.host.paths().auditLog());

            EnableService.Result r = svc.finish(e, false);

            assertEquals(EnableService.ApplyNow.NOT_RUNNING, r.applyNow());
            assertEquals(0, r.exitCode());
            assertEquals("warning: not recorded in the audit log: cannot append to audit log " + node.host.paths().auditLog()
                    + ": it is a directory; move it away"
                    + " (the log is a file)", r.auditWarning());
        }
    }
}

package io.timeshift.host.cli;

import io.timeshift.host.admin.EnableService;
import io.timeshift.host.admin.SnippetInstaller;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The exact text {@code time-shift enable} makes of the service's preview and result. */
class EnableRendererTest {
    private static final Path POLICY = Path.of("/etc/pve/time-shift/105.json");
    private static final Path SNIPPET = Path.of("/var/lib/vz/snippets/time-shift-hook");
    private static final Path LOG = Path.of("/var/log/time-shift/worker-105.log");

    private static String render(Consumer<PrintWriter> r) {
        StringWriter s = new StringWriter();
        PrintWriter out = new PrintWriter(s);
        r.accept(out);
        out.flush();
        return s.toString();
    }

    @Nested
    class Preview {
        @Test
        void withEveryPartShowsThemInTheOrderTheyAreChecked() {
            EnableService.Preview p = new EnableService.Preview(105, "jump-bmc", "pve1", true, "fixed 2021-03-01T12:00:00Z",
                    POLICY + ": field 'mode': 'bogus' is not a mode", "guest zone: not needed: VM 105's RTC runs in UTC",
                    "VM 105: Notes left unchanged without the time-shift line",
                    new EnableService.StorageChange("local", List.of("iso", "backup"), "iso,backup,snippets"),
                    new EnableService.SnippetFix(SNIPPET, SnippetInstaller.Problem.NOT_EXECUTABLE, null),
                    "local:snippets/backup-mount.pl", "5e8d", List.of("-tags: bmc", "+tags: bmc;time-shift"), POLICY, false,
                    List.of("-{\"mode\": \"bogus\"}", "+{", "+}"), false, null);

            assertEquals("""
                    note: the existing policy is invalid and will be replaced (/etc/pve/time-shift/105.json: field 'mode': 'bogus' is not a mode)
                    VM 105 (jump-bmc) on node pve1, running: fixed 2021-03-01T12:00:00Z
                    guest zone: not needed: VM 105's RTC runs in UTC
                    VM 105: Notes left unchanged without the time-shift line
                    storage local: content iso,backup -> iso,backup,snippets (pvesm set local --content iso,backup,snippets) [only with --yes]
                    snippet /var/lib/vz/snippets/time-shift-hook: not executable; chmod 0755 it
                    chain: local:snippets/backup-mount.pl keeps running first for every phase (its exit status decides pre-start)
                    config of VM 105 (one update, digest 5e8d):
                      -tags: bmc
                      +tags: bmc;time-shift
                    policy /etc/pve/time-shift/105.json:
                      -{"mode": "bogus"}
                      +{
                      +}
                    """, render(out -> EnableRenderer.preview(p, out)));
        }

        @Test
        void withoutOptionalPartsNamesAMissingNameANewPolicyAndAConfigWithoutChange() {
            EnableService.Preview p = new EnableService.Preview(105, null, "pve1", false, "offset -P1095D", null,
                    "guest zone: Asia/Karachi (from --guest-zone)", null,
                    new EnableService.StorageChange("nfs", List.of("iso"), "iso,snippets"),
                    new EnableService.SnippetFix(SNIPPET, SnippetInstaller.Problem.MISSING, "/usr/share/time-shift/time-shift-hook"),
                    null, "9a1c", List.of(), POLICY, true, List.of("+{}"), true, null);

            assertEquals("""
                    VM 105 (no name) on node pve1, stopped: offset -P1095D
                    guest zone: Asia/Karachi (from --guest-zone)
                    storage nfs: content iso -> iso,snippets (pvesm set nfs --content iso,snippets)
                    snippet /var/lib/vz/snippets/time-shift-hook: missing; install it from /usr/share/time-shift/time-shift-hook
                    config of VM 105 (one update, digest 9a1c):
                       (no change)
                    policy /etc/pve/time-shift/105.json (new):
                      +{}
                    """, render(out -> EnableRenderer.preview(p, out)));
        }
    }

    @Nested
    class Result {
        private EnableService.Enabled enabled(boolean running, boolean agentWasOff) {
            return new EnableService.Enabled(105, "fixed 2021-03-01T12:00:00Z", running, agentWasOff, null, null, null, POLICY,
                    Map.of(), new LinkedHashMap<>());
        }

        private String all(EnableService.Result r) {
            return render(out -> {
                EnableRenderer.enabled(r.enabled(), out);
                EnableRenderer.finished(r, out);
            });
        }

        @Test
        void ofAStoppedVmIsOneLine() {
            assertEquals("VM 105: time-shift enabled (fixed 2021-03-01T12:00:00Z)\n", all(new EnableService.Result(enabled(false, false),
                    EnableService.ApplyNow.NOT_RUNNING, 0, null, null, null)));
        }

        @Test
        void ofARunningGuestSaysWhatHappensToItsClockNow() {
            String running = "VM 105: time-shift enabled (fixed 2021-03-01T12:00:00Z)\nVM 105 is running: startdate applies from its"
                    + " next cold start (stop and start; a reboot inside the guest keeps the current clock)\n";
            assertEquals(running + "applying now in the background (pid 4242, log /var/log/time-shift/worker-105.log); check with:"
                    + " time-shift status 105\n", all(new EnableService.Result(enabled(true, false), EnableService.ApplyNow.STARTED,
                    4242, LOG, null, null)));
            assertEquals(running + "could not start the apply worker (fork failed); run: time-shift apply 105\n",
                    all(new EnableService.Result(enabled(true, false), EnableService.ApplyNow.FAILED, 0, LOG, "fork failed", null)));
            assertEquals(running + "to shift the running guest now: time-shift apply 105\n",
                    all(new EnableService.Result(enabled(true, false), EnableService.ApplyNow.NOT_ASKED, 0, null, null, null)));
            assertEquals(running + "the guest agent was off: QEMU only gets its channel at the next cold start, so the running guest"
                    + " cannot be shifted now; stop and start VM 105 (qm shutdown 105 && qm start 105)\n",
                    all(new EnableService.Result(enabled(true, true), EnableService.ApplyNow.COLD_START_NEEDED, 0, null, null, null)));
        }

        @Test
        void anAuditEntryNotWrittenIsTheLastLine() {
            assertEquals("VM 105: time-shift enabled (fixed 2021-03-01T12:00:00Z)\nwarning: not recorded in the audit log: disk full\n",
                    all(new EnableService.Result(enabled(false, false), EnableService.ApplyNow.NOT_RUNNING, 0, null, null,
                            "warning: not recorded in the audit log: disk full")));
        }

        @Test
        void exitsThreeOnlyWhenTheWorkerCouldNotStart() {
            assertEquals(3, new EnableService.Result(enabled(true, false), EnableService.ApplyNow.FAILED, 0, LOG, "x", null).exitCode());
            assertEquals(0, new EnableService.Result(enabled(true, false), EnableService.ApplyNow.NOT_ASKED, 0, null, null, "w")
                    .exitCode());
        }
    }

    @Nested
    class RefusedPreview {
        @Test
        void showsTheInvalidPolicyNoteAlone() {
            assertEquals("note: the existing policy is invalid and will be replaced (bad mode)\n",
                    render(out -> EnableRenderer.invalidPolicy("bad mode", out)));
        }
    }
}

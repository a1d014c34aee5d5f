package io.timeshift.host.admin;

import io.timeshift.pve.qga.testing.FakeQemuGa.ExecReply;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.testsupport.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exact lines {@code enable} and {@code plan --apply} print around a failure: what was rolled back (stdout, or stderr
 * next to plan's JSON), the invalid-policy note before a refusal, and the notes after a date was applied.
 */
class EnableAndPlanOutputTest {
    private static final String WINDOW = "{\"window\":{\"notBefore\":\"2019-01-01T00:00:00Z\",\"notAfter\":\"2022-01-01T00:00:00Z\"},"
            + "\"suggested\":\"2020-07-02T12:00:00Z\",\"targets\":[],\"conflicts\":[]}";

    @TempDir
    Path dir;

    private FakePveNode node;

    @BeforeEach
    void node() {
        node = new FakePveNode(dir, new MutableClock(Instant.parse("2026-01-10T08:00:00Z")));
    }

    @Nested
    class Enable {
        @Test
        void aFailedUpdateEndsStdoutWithTheStepsRolledBackAndStderrWithTheOneLine() {
            node.fail("set", FakePveNode.CONFIG, "checksum mismatch (file change by other user?)\n");

            assertEquals(3, node.run("enable", "105", "--date", "2021-03-01", "--yes"));

            assertTrue(node.out().endsWith("  +}\nrolled back: remove the new policy " + node.policyFile() + "\nrolled back: remove "
                    + node.snippet() + "\n"), node.out());
            assertEquals("time-shift: VM 105 config changed meanwhile (someone edited it after it was read); rolled back, nothing"
                    + " was changed; run again\n", node.err.toString());
        }

        @Test
        void anInvalidOldPolicyIsNotedOnStdoutBeforeARefusalOnStderr() {
            node.host.policy(105, "{\"mode\": \"bogus\"}");
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105.json")
                    .replace("\"boot\":", "\"hookscript\":\"local:snippets/backup-mount.pl\",\"boot\":"));

            assertEquals(3, node.run("enable", "105", "--date", "2021-03-01", "--yes"));

            assertTrue(node.out().startsWith("note: the existing policy is invalid and will be replaced (" + node.policyFile() + ": "),
                    node.out());
            assertEquals(1, node.out().lines().count(), node.out());
            assertTrue(node.err.toString().startsWith("time-shift: VM 105 already has the hookscript"), node.err.toString());
        }
    }

    @Nested
    class PlanApply {
        @BeforeEach
        void runningVmWithAPolicy() {
            node.running();
            node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105-enabled.json"));
            node.ga.onExec((path, args) -> path.equals(GuestTool.PATH) ? new ExecReply(0, WINDOW, "") : new ExecReply(127, "", ""));
        }

        @Test
        void ofAContinuePolicyEndsWithTheNoteAboutTheLastStop() {
            node.host.policy(PolicyJson.continuing(105, "2021-03-01T12:00:00Z"));

            assertEquals(0, node.run("plan", "105", "--target", "idrac1.mgmt.example:443", "--apply"), node.err.toString());

            assertTrue(node.out().endsWith("suggested date: 2020-07-02T12:00:00Z\nVM 105: policy now continue 2020-07-02T12:00:00Z (was"
                    + " continue 2021-03-01T12:00:00Z); startdate 2020-07-02T12:00:00 applies from the next cold start; shift the"
                    + " running guest now with: time-shift apply 105\nnote: mode continue resumes from the guest time at the last"
                    + " stop; the new date is used when no stop time is recorded\n"), node.out());
        }

        @Test
        void withJsonWhatWasRolledBackGoesToStderrBeforeTheFailure() {
            node.host.policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z"));
            node.fail("set", FakePveNode.CONFIG, "checksum mismatch (file change by other user?)\n");

            assertEquals(3, node.run("plan", "105", "--target", "idrac1.mgmt.example:443", "--apply", "--json"));

            assertTrue(node.out().startsWith("{"), node.out());
            assertEquals("rolled back: restore the previous policy " + node.policyFile() + "\ntime-shift: VM 105 config changed"
                    + " meanwhile (someone edited it after it was read); rolled back, nothing was changed; run again\n",
                    node.err.toString());
        }
    }
}

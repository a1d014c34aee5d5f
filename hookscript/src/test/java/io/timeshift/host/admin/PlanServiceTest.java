package io.timeshift.host.admin;

import io.timeshift.pve.qga.testing.FakeQemuGa.ExecReply;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.testsupport.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link PlanService#apply} as values: the date written (or why not), and what a failed update rolled back. */
class PlanServiceTest {
    private static final String WINDOW = "{\"window\":{\"notBefore\":\"2019-01-01T00:00:00Z\",\"notAfter\":\"2022-01-01T00:00:00Z\"},"
            + "\"suggested\":\"2020-07-02T12:00:00Z\",\"targets\":[],\"conflicts\":[]}";
    private static final String NO_WINDOW = "{\"window\":null,\"suggested\":null,\"targets\":[],\"conflicts\":[]}";

    @TempDir
    Path dir;

    private FakePveNode node;

    @BeforeEach
    void runningEnabledVm() {
        node = new FakePveNode(dir, new MutableClock(Instant.parse("2026-01-10T08:00:00Z")));
        node.running();
        node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105-enabled.json"));
    }

    private void guestSays(int exit, String json) {
        node.ga.onExec((path, args) -> path.equals(GuestTool.PATH) ? new ExecReply(exit, json, "") : new ExecReply(127, "", ""));
    }

    private PlanService service() {
        return new PlanService(node.host.paths(), node.env, node.clock, node.clients()::asRoot, node.ga::client);
    }

    private PlanService.Applied apply() {
        PlanService svc = service();
        return svc.apply(svc.plan(105, List.of("idrac1.mgmt.example:443"), true));
    }

    @Nested
    class WithASuggestion {
        @Test
        void returnsThePolicyBeforeAndAfterAndTheStartdateWritten() {
            node.host.policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z"));
            guestSays(0, WINDOW);

            PlanService.Applied a = apply();

            assertEquals(105, a.vmid());
            assertEquals(0, a.exitCode());
            assertEquals(new PlanService.DateChange("fixed 2021-03-01T12:00:00Z", "fixed 2020-07-02T12:00:00Z", "2020-07-02T12:00:00",
                    false, null, false, null), a.changed());
        }

        @Test
        void ofAContinuePolicySaysSoAndAnUnwritableAuditLogIsAWarning() throws Exception {
            node.host.policy(PolicyJson.continuing(105, "2021-03-01T12:00:00Z"));
            guestSays(0, WINDOW);
            Files.createDirectories(node.host.paths().auditLog());

            PlanService.DateChange c = apply().changed();

            assertEquals(true, c.modeContinue());
            assertEquals("warning: not recorded in the audit log: cannot append to audit log " + node.host.paths().auditLog() + ": it is a directory; move it away (the log"
                    + " is a file)", c.auditWarning());
        }

        @Test
        void aFailedConfigUpdateReturnsThePolicyPutBackAsTheStepRolledBack() {
            String before = PolicyJson.fixed(105, "2021-03-01T12:00:00Z").text();
            node.host.policy(105, before);
            guestSays(0, WINDOW);
            node.fail("set", FakePveNode.CONFIG, "checksum mismatch (file change by other user?)\n");

            Rollback.Failed f = assertThrows(Rollback.Failed.class, PlanServiceTest.this::apply);

            assertEquals(List.of("restore the previous policy " + node.policyFile()), f.rolledBack());
            assertEquals(3, f.error().exitCode());
            assertEquals(before, node.policyText());
        }
    }

    @Nested
    class WithoutASuggestion {
        @Test
        void noCommonWindowChangesNothingAndExitsOne() {
            node.host.policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z"));
            guestSays(1, NO_WINDOW);

            PlanService.Applied a = apply();

            assertEquals(1, a.exitCode());
            assertNull(a.changed());
            assertEquals(List.of(), node.writes());
        }

        @Test
        void aTargetNotProbedKeepsExitThree() {
            node.host.policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z"));
            guestSays(3, NO_WINDOW);

            assertEquals(3, apply().exitCode());
        }
    }
}

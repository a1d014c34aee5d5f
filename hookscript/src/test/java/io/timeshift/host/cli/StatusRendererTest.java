package io.timeshift.host.cli;

import io.timeshift.host.policy.Mode;
import io.timeshift.host.status.StatusRow;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link StatusRenderer}: typed rows to the exact bytes of {@code status --json} and the table. */
class StatusRendererTest {
    /** Every component set: running on this node, isolated, drift beyond tolerance, units off, a failed apply. */
    static StatusRow everyField() {
        Map<String, Object> apply = new LinkedHashMap<>();
        apply.put("startedAt", "2026-01-10T07:59:00.123456Z");
        apply.put("finishedAt", "2026-01-10T07:59:01.5Z");
        apply.put("result", "failed");
        apply.put("message", "agent \u001b[2J said no");
        apply.put("guestTimeAfter", null);
        apply.put("errorMs", 12.25);
        apply.put("workerPid", 4242L);
        apply.put("newerField", List.of(1L, true));
        return new StatusRow(105, "jump-vm", "pve7", true, Mode.FIXED, Instant.parse("2021-03-01T12:10:00Z"),
                Instant.parse("2021-03-01T12:09:56.782876544Z"), -3217.123, false, StatusRow.TimeSync.DISABLE,
                List.of("systemd-timesyncd.service", "chrony.service"),
                new StatusRow.Isolation(true, "isolated (firewall: 2 BMC addresses, outbound DROP)"),
                new StatusRow.LastApply(apply), List.of("guest clock is -3217.123 ms from the policy", "last apply failed: x"), true);
    }

    /** On another node through the API: no state there (timeSyncDisabled null), the last apply from the Notes line. */
    static StatusRow otherNode() {
        Map<String, Object> notes = new LinkedHashMap<>();
        notes.put("result", "ok");
        notes.put("finishedAt", "2026-11-25T10:31:00Z");
        notes.put("errorMs", 4.0);
        notes.put("source", "notes");
        return new StatusRow(121, "a-very-long-vm-name", "pve-node-name-12", true, Mode.OFFSET,
                Instant.parse("2021-03-01T13:00:00.500Z"), Instant.parse("2021-03-01T13:00:00.504Z"), 4.0, true,
                StatusRow.TimeSync.KEEP, null, new StatusRow.Isolation(false, "not isolated"), new StatusRow.LastApply(notes),
                List.of(), true);
    }

    /** Stopped, no policy: every optional component null. */
    static StatusRow optionalNull() {
        return new StatusRow(106, null, "pve7", false, null, null, null, null, null, null, List.of(), null, null,
                List.of("no time-shift policy"), true);
    }

    @Nested
    class Json {
        @Test
        void ofARowWithEveryFieldSetIsTheContractObjectByteForByte() {
            assertEquals("""
                    [ {
                        "vmid" : 105,
                        "name" : "jump-vm",
                        "node" : "pve7",
                        "running" : true,
                        "mode" : "fixed",
                        "expectedTime" : "2021-03-01T12:10:00Z",
                        "guestTime" : "2021-03-01T12:09:56.782876544Z",
                        "driftMs" : -3217.123,
                        "inTolerance" : false,
                        "timeSync" : "disable",
                        "timeSyncDisabled" : [ "systemd-timesyncd.service", "chrony.service" ],
                        "isolation" : "isolated (firewall: 2 BMC addresses, outbound DROP)",
                        "lastApply" : {
                          "startedAt" : "2026-01-10T07:59:00.123456Z",
                          "finishedAt" : "2026-01-10T07:59:01.5Z",
                          "result" : "failed",
                          "message" : "agent \\u001b[2J said no",
                          "guestTimeAfter" : null,
                          "errorMs" : 12.25,
                          "workerPid" : 4242,
                          "newerField" : [ 1, true ]
                        },
                        "problems" : [ "guest clock is -3217.123 ms from the policy", "last apply failed: x" ]
                      } ]
                    """, StatusRenderer.json(List.of(everyField())));
        }

        @Test
        void ofAnotherNodesRowHasANullTimeSyncDisabledAndTheNotesLastApply() {
            assertEquals("""
                    [ {
                        "vmid" : 121,
                        "name" : "a-very-long-vm-name",
                        "node" : "pve-node-name-12",
                        "running" : true,
                        "mode" : "offset",
                        "expectedTime" : "2021-03-01T13:00:00.500Z",
                        "guestTime" : "2021-03-01T13:00:00.504Z",
                        "driftMs" : 4.0,
                        "inTolerance" : true,
                        "timeSync" : "keep",
                        "timeSyncDisabled" : null,
                        "isolation" : "not isolated",
                        "lastApply" : {
                          "result" : "ok",
                          "finishedAt" : "2026-11-25T10:31:00Z",
                          "errorMs" : 4.0,
                          "source" : "notes"
                        },
                        "problems" : [ ]
                      } ]
                    """, StatusRenderer.json(List.of(otherNode())));
        }

        @Test
        void ofRowsWithoutOptionalFieldsHasNullsAndTheUnreadableRowLeavesTwoMembersOut() {
            assertEquals("""
                    [ {
                        "vmid" : 106,
                        "name" : null,
                        "node" : "pve7",
                        "running" : false,
                        "mode" : null,
                        "expectedTime" : null,
                        "guestTime" : null,
                        "driftMs" : null,
                        "inTolerance" : null,
                        "timeSync" : null,
                        "timeSyncDisabled" : [ ],
                        "isolation" : null,
                        "lastApply" : null,
                        "problems" : [ "no time-shift policy" ]
                      }, {
                        "vmid" : 107,
                        "name" : null,
                        "node" : null,
                        "running" : null,
                        "mode" : null,
                        "expectedTime" : null,
                        "guestTime" : null,
                        "driftMs" : null,
                        "inTolerance" : null,
                        "timeSync" : null,
                        "timeSyncDisabled" : null,
                        "isolation" : null,
                        "lastApply" : null,
                        "problems" : [ "cannot read its status: IllegalStateException: boom" ]
                      } ]
                    """, StatusRenderer.json(List.of(optionalNull(),
                    StatusRow.unreadable(107, "cannot read its status: IllegalStateException: boom"))));
        }

        @Test
        void ofNoRowsIsAnEmptyArray() {
            assertEquals("[ ]\n", StatusRenderer.json(List.of()));
        }
    }

    @Nested
    class Text {
        private String text(boolean withNode, StatusRow... rows) {
            StringWriter s = new StringWriter();
            PrintWriter out = new PrintWriter(s);
            StatusRenderer.text(out, List.of(rows), withNode);
            out.flush();
            return s.toString();
        }

        @Test
        void onThisNodeHasAnIsolatedColumnFurtherProblemsOnRowsOfTheirOwnAndNoTerminalEscapes() {
            assertEquals(String.join("\n",
                    "VMID   NAME             MODE     ISOLATED EXPECTED                 GUEST                         DRIFT  LAST APPLY             PROBLEMS",
                    "105    jump-vm          fixed    yes      2021-03-01T12:10:00Z     2021-03-01T12:09:56Z     -3217.1 ms  failed 2026-01-10T07:59:01Z guest clock is -3217.123 ms from the policy",
                    "                                                                                                                               last apply failed: x",
                    "121    a-very-long-vm-~ offset   no       2021-03-01T13:00:00Z     2021-03-01T13:00:00Z         4.0 ms  ok 2026-11-25T10:31:00Z -",
                    "106    -                -        -        -                        -                                 -  -                      no time-shift policy",
                    "107    -                -        -        -                        -                                 -  -                      a\\u001b[2Jb",
                    ""), text(false, everyField(), otherNode(), optionalNull(), StatusRow.unreadable(107, "a\u001b[2Jb")));
        }

        @Test
        void forTheClusterHasANodeColumnInsteadOfIsolated() {
            assertEquals(String.join("\n",
                    "VMID   NODE       NAME             MODE     EXPECTED             GUEST                     DRIFT  LAST APPLY              PROBLEMS",
                    "121    pve-node-~ a-very-long-vm-~ offset   2021-03-01T13:00:00Z 2021-03-01T13:00:00Z     4.0 ms  ok 2026-11-25T10:31:00Z -",
                    "106    pve7       -                -        -                    -                             -  -                       no time-shift policy",
                    ""), text(true, otherNode(), optionalNull()));
        }

        @Test
        void ofNoRowsSaysHowToStartOnANodeAndWhatIsMissingInTheCluster() {
            assertEquals("No VM has a time-shift policy on this node (enable one with: time-shift enable <vmid> --date <when>).\n",
                    text(false));
            assertEquals("No VM in the cluster has a time-shift policy (none is tagged time-shift).\n", text(true));
        }
    }

    @Nested
    class Rows {
        @Test
        void areImmutableCopiesOfWhatTheServiceCollected() {
            List<String> problems = new ArrayList<>(List.of("one"));
            Map<String, Object> apply = new LinkedHashMap<>();
            apply.put("result", "ok");
            StatusRow r = new StatusRow(1, null, null, false, null, null, null, null, null, null, List.of(), null,
                    new StatusRow.LastApply(apply), problems, true);
            problems.add("two");
            apply.put("result", "failed");

            assertEquals(List.of("one"), r.problems());
            assertFalse(r.lastApply().failed());
            assertThrows(UnsupportedOperationException.class, () -> r.problems().add("x"));
        }

        @Test
        void aLastApplyMarkedFailedKeepsItsMembersInOrder() {
            Map<String, Object> apply = new LinkedHashMap<>();
            apply.put("startedAt", "2026-01-10T08:00:00Z");
            apply.put("result", "running");
            apply.put("workerPid", 7L);

            StatusRow.LastApply failed = new StatusRow.LastApply(apply).failedWith("died");

            assertEquals(List.of("startedAt", "result", "workerPid", "message"), List.copyOf(failed.members().keySet()));
            assertEquals("failed", failed.result());
            assertEquals(7L, failed.workerPid());
            assertEquals("running", apply.get("result"), "the state's record is not changed");
        }
    }
}

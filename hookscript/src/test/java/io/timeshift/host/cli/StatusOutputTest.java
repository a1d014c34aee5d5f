package io.timeshift.host.cli;

import io.timeshift.host.state.StateStore;
import io.timeshift.host.state.VmState;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.TempHost;
import io.timeshift.testsupport.FakeMonotonic;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code time-shift status} on a node, end to end through picocli, byte for byte: the {@code --json}
 * array (member order, nulls, absent members, number and time formats, escapes) and the text table,
 * for a row with every field set, rows with the optional fields null, and the row of a VM whose status
 * could not be read.
 */
class StatusOutputTest {
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");
    private static final String DATE = "2021-03-01T12:00:00Z";

    @TempDir
    Path dir;

    private TempHost host;
    private final MutableClock clock = new MutableClock(T0);
    private final FakeQemuGa ga = new FakeQemuGa(clock, new FakeMonotonic());
    private String out;
    private String err;

    /**
     * 105: running, isolated, a foreign hookscript, drift beyond tolerance, time sync units turned off,
     * a failed last apply with every member (and one a newer version wrote); 106: no policy and no name;
     * 107: its agent lookup throws (the row of a VM whose status cannot be read); 108: stopped, an apply
     * starting.
     */
    @BeforeEach
    void fourVms() throws Exception {
        host = new TempHost(dir);
        Files.createDirectories(host.paths().pveDir().resolve("nodes/pve7"));
        Files.createSymbolicLink(host.paths().pveDir().resolve("local"), Path.of("nodes/pve7"));
        Map<String, Object> firewall = new LinkedHashMap<>();
        firewall.put("members", List.of("10.0.0.5", "10.0.0.6"));
        Map<String, Object> original = new LinkedHashMap<>();
        original.put("startdate", null);
        original.put("hookscript", null);
        original.put("agent", "1");
        original.put("firewall", firewall);
        host.conf(105, TempHost.CONF.replace("local:snippets/time-shift-hook", "local:snippets/other"))
                .policy(PolicyJson.fixed(105, DATE).with("original", original))
                .agentSocket(105);
        Files.writeString(host.paths().runDir().resolve("105.pid"), ProcessHandle.current().pid() + "\n");
        long offset = Duration.between(T0, Instant.parse(DATE)).toNanos();
        new StateStore(host.paths()).update(105, s -> {
            s.run(new VmState.Run(T0.toString(), T0, offset, "fixed", false, "fixed " + DATE));
            s.timeSyncDisabled(List.of("systemd-timesyncd.service", "chrony.service"));
            Map<String, Object> apply = new LinkedHashMap<>();
            apply.put("startedAt", "2026-01-10T07:59:00.123456Z");
            apply.put("finishedAt", "2026-01-10T07:59:01.5Z");
            apply.put("result", "failed");
            apply.put("message", "agent \u001b[2J said no");
            apply.put("guestTimeAfter", null);
            apply.put("errorMs", 12.25);
            apply.put("workerPid", 4242L);
            apply.put("sets", 3L);
            apply.put("newerField", Map.of("x", List.of(1L, true)));
            s.finishApply(apply);
        });
        host.conf(106, TempHost.CONF.replace("name: jump-vm\n", ""));
        host.confWith(107).policy(PolicyJson.offset(107, "-3y").with("timeSync", "keep")).agentSocket(107);
        host.confWith(108).policy(PolicyJson.continuing(108, DATE));
        new StateStore(host.paths()).update(108, s -> s.startApply(T0, null));
        clock.advance(Duration.ofMinutes(10));
        ga.guestTime(clock.instant().plusNanos(offset).minusMillis(3217).minusNanos(123456));
    }

    private int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        Services services = new Services(host.paths(), Map.of(), clock, new FakeMonotonic(), id -> {
            if (id == 107) {
                throw new IllegalStateException("boom\nline2");
            }
            return ga.client(id);
        });
        int code = Cli.run(services, new PrintWriter(o, true), new PrintWriter(e, true), args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    @Nested
    class Json {
        @Test
        void isTheSameBytesForEveryKindOfRow() {
            assertEquals(0, run("status", "--json", "105", "106", "107", "108"));

            assertEquals(JSON, out);
            assertEquals("", err);
        }
    }

    @Nested
    class Text {
        @Test
        void isTheSameTableWithFurtherProblemsOnRowsOfTheirOwn() {
            assertEquals(0, run("status", "105", "106", "107", "108"));

            assertEquals(TEXT, out);
            assertEquals("", err);
        }
    }

    static final String JSON = """
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
                  "sets" : 3,
                  "newerField" : {
                    "x" : [ 1, true ]
                  }
                },
                "problems" : [ "policy present but the VM's hookscript is local:snippets/other (fix: time-shift enable 105 again)", "guest clock is -3217.123 ms from the policy (tolerance PT2S; fix: time-shift apply 105)", "last apply failed: agent \\\\u001b[2J said no" ]
              }, {
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
                "problems" : [ "no time-shift policy but the VM uses our hookscript (fix: time-shift enable 106 --date <when>, or time-shift disable 106)" ]
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
                "problems" : [ "cannot read its status: IllegalStateException: boom\\\\nline2" ]
              }, {
                "vmid" : 108,
                "name" : "jump-vm",
                "node" : "pve7",
                "running" : false,
                "mode" : "continue",
                "expectedTime" : null,
                "guestTime" : null,
                "driftMs" : null,
                "inTolerance" : null,
                "timeSync" : "disable",
                "timeSyncDisabled" : [ ],
                "isolation" : "not isolated",
                "lastApply" : {
                  "startedAt" : "2026-01-10T08:00:00Z",
                  "finishedAt" : null,
                  "result" : "running",
                  "message" : "apply worker starting",
                  "workerPid" : null
                },
                "problems" : [ ]
              } ]
            """;

    static final String TEXT = """
            VMID   NAME             MODE     ISOLATED EXPECTED                 GUEST                         DRIFT  LAST APPLY             PROBLEMS
            105    jump-vm          fixed    yes      2021-03-01T12:10:00Z     2021-03-01T12:09:56Z     -3217.1 ms  failed 2026-01-10T07:59:01Z policy present but the VM's hookscript is local:snippets/other (fix: time-shift enable 105 again)
                                                                                                                                           guest clock is -3217.123 ms from the policy (tolerance PT2S; fix: time-shift apply 105)
                                                                                                                                           last apply failed: agent \\u001b[2J said no
            106    -                -        -        -                        -                                 -  -                      no time-shift policy but the VM uses our hookscript (fix: time-shift enable 106 --date <when>, or time-shift disable 106)
            107    -                -        -        -                        -                                 -  -                      cannot read its status: IllegalStateException: boom\\nline2
            108    jump-vm          continue no       -                        -                                 -  running 2026-01-10T08:00:00Z -
            """;
}

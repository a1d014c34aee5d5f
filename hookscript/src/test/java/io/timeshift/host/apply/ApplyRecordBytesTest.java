package io.timeshift.host.apply;

import io.timeshift.host.io.Json;
import io.timeshift.host.testing.ApplyWorkerFixture;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.TempHost;
import io.timeshift.common.error.EnvironmentException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.timeshift.host.testing.ApplyWorkerFixture.DATE;
import static io.timeshift.host.testing.ApplyWorkerFixture.VM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exact bytes an apply record leaves behind: the state file ({@code lastApply}, read back by status, the
 * Notes and the demo), the audit line (hash-chained: one byte more or less is another hash) and the JSON of
 * {@code time-shift apply --json}. A full record (every optional field, a re-apply and a stop during the hold)
 * and a minimal one (the VM was not running). The worker's pid is the only value that varies; it reads {@code PID}.
 */
class ApplyRecordBytesTest {
    /** The state file up to {@code lastApply}: the run this manual apply started (no pre-start ran). */
    private static final String STATE_BEFORE_LAST_APPLY = """
            {
              "vmid" : 105,
              "run" : {
                "id" : "2026-01-10T08:00:00Z",
                "policy" : "fixed 2021-03-01T12:00:00Z",
                "startedAt" : "2026-01-10T08:00:00Z",
                "offsetNs" : -153432000000000000,
                "offsetHuman" : "-1775d 20h 0m 0.000s",
                "reason" : "manual",
                "backup" : false
              },
            """;

    /** The full record as {@code time-shift apply --json} prints it; state {@code lastApply} holds the same, nested. */
    private static final String FULL_RECORD = """
            {
              "startedAt" : "2026-01-10T08:00:00Z",
              "finishedAt" : "2026-01-10T08:00:00Z",
              "result" : "ok",
              "message" : "guest clock set to 2021-03-01T12:00:01.002Z (error 2.000 ms); re-applied once: guest clock jumped by +153792000.002 s after apply (systemd epoch bump or NTP step)",
              "guestTimeAfter" : "2021-03-01T12:00:01.002Z",
              "errorMs" : 2.0,
              "workerPid" : PID,
              "agentWaitMs" : 0,
              "sets" : 1,
              "applyMs" : 0.0,
              "guestOs" : "Debian GNU/Linux 12 (bookworm)",
              "guestZone" : "+05:00 PKT",
              "timeSync" : "disabled systemd-timesyncd.service",
              "guestPolicy" : "/var/lib/time-shift-guest/policy.json",
              "reapplied" : 1,
              "hold" : "VM stopped during the hold period",
              "holdEndedAt" : "2026-01-10T08:00:02Z"
            }
            """;

    @RegisterExtension
    final ApplyWorkerFixture fx = new ApplyWorkerFixture().withAgentSocket();

    private String withoutPid(String text) {
        return text.replace("\"workerPid\" : " + ProcessHandle.current().pid(), "\"workerPid\" : PID");
    }

    /** {@code json} as Json.pretty nests it one level down: two more spaces on every line after the first. */
    private static String nested(String json) {
        return json.stripTrailing().replace("\n", "\n  ");
    }

    private String stateFile() {
        return withoutPid(TempHost.read(fx.host().paths().stateFile(VM)));
    }

    private String auditFile() {
        return TempHost.read(fx.host().paths().auditLog());
    }

    @Nested
    class AFullRecord {
        private ApplyRecord result;

        @BeforeEach
        void applyWithEverythingHappening() {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.ga.setTimeSkew(Duration.ofMillis(2));
            fx.ga.timezone(Map.of("zone", "PKT", "offset", 18000));
            Map<String, Object> os = new LinkedHashMap<>();
            os.put("id", "debian");
            os.put("pretty-name", "Debian GNU/Linux 12 (bookworm)");
            fx.ga.osInfo(os);
            fx.ga.onExec((path, args) -> args.get(0).equals("show")
                    ? FakeQemuGa.ExecReply.ok("Id=systemd-timesyncd.service\nLoadState=loaded\nActiveState=active\n"
                            + "UnitFileState=enabled\n")
                    : FakeQemuGa.ExecReply.ok(""));
            fx.ga.jumpAtGetTime(2, Duration.ofDays(1780));
            fx.atSleep(() -> { }).atSleep(fx.ga::vmStopped);

            result = fx.worker().apply(VM, true, true);
        }

        @Test
        void isWrittenToStateByteForByte() {
            assertEquals(STATE_BEFORE_LAST_APPLY + "  \"lastApply\" : " + nested(FULL_RECORD) + ",\n" + """
              "guestZone" : {
                "offsetSeconds" : 18000,
                "zone" : "PKT",
                "learnedAt" : "2026-01-10T08:00:00Z"
              },
              "timeSyncDisabled" : [ "systemd-timesyncd.service" ]
            }
            """, stateFile());
        }

        @Test
        void isAuditedByteForByte() {
            assertEquals("{\"at\":\"2026-01-10T08:00:02Z\",\"actor\":\"root\",\"vmid\":105,\"action\":\"apply\",\"details\":{\"result\":\"ok\",\"message\":\"guest clock set to 2021-03-01T12:00:01.002Z (error 2.000 ms); re-applied once: guest clock jumped by +153792000.002 s after apply (systemd epoch bump or NTP step)\",\"guestTimeAfter\":\"2021-03-01T12:00:01.002Z\",\"errorMs\":2.0,\"agentWaitMs\":0,\"applyMs\":0.0,\"timeSync\":\"disabled systemd-timesyncd.service\",\"reapplied\":1},\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"hash\":\"df425d72804610a1e2c41d92bd8ee9562a92053f861c5e4a9bb0fefb7c477489\"}\n", auditFile());
        }

        @Test
        void isLoggedWithTimestampsByteForByte() {
            assertEquals("2026-01-10T08:00:00Z VM 105: applying fixed 2021-03-01T12:00:00Z (offset -1775d 20h 0m 0.000s, manual)\n"
                    + "2026-01-10T08:00:00Z VM 105: guest clock set to 2021-03-01T12:00:00.002Z (error 2.000 ms); agent after 0 ms, apply 0.0 ms\n"
                    + "2026-01-10T08:00:01Z VM 105: guest clock set to 2021-03-01T12:00:01.002Z (error 2.000 ms); re-applied once: guest clock jumped by +153792000.002 s after apply (systemd epoch bump or NTP step)\n", fx.log());
        }

        @Test
        void isTheJsonOfApplyByteForByte() {
            assertEquals(FULL_RECORD, withoutPid(new String(Json.pretty(result.toJson()), StandardCharsets.UTF_8)));
        }
    }

    @Nested
    class AMinimalRecord {
        @BeforeEach
        void applyToAVmThatIsNotRunning() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("timeSync", "keep"));
            fx.ga.vmStopped();

            assertThrows(EnvironmentException.class, () -> fx.worker().apply(VM, false, false));
        }

        @Test
        void isWrittenToStateByteForByte() {
            assertEquals(STATE_BEFORE_LAST_APPLY + """
              "lastApply" : {
                "startedAt" : "2026-01-10T08:00:00Z",
                "finishedAt" : "2026-01-10T08:00:00Z",
                "result" : "failed",
                "message" : "VM 105 stopped (or its agent socket vanished) during apply: VM 105 is not running or has no guest agent configured (no agent socket at /var/run/qemu-server/fake.qga)",
                "guestTimeAfter" : null,
                "errorMs" : null,
                "workerPid" : PID
              }
            }
            """, stateFile());
        }

        @Test
        void isLoggedWithTimestampsByteForByte() {
            assertEquals("2026-01-10T08:00:00Z VM 105: applying fixed 2021-03-01T12:00:00Z (offset -1775d 20h 0m 0.000s, manual)\n"
                    + "2026-01-10T08:00:00Z VM 105: apply failed: VM 105 stopped (or its agent socket vanished) during apply: VM 105 is not running or has no guest agent configured (no agent socket at /var/run/qemu-server/fake.qga)\n", fx.log());
        }

        @Test
        void isAuditedByteForByte() {
            assertEquals("{\"at\":\"2026-01-10T08:00:00Z\",\"actor\":\"root\",\"vmid\":105,\"action\":\"apply\",\"details\":{\"result\":\"failed\",\"message\":\"VM 105 stopped (or its agent socket vanished) during apply: VM 105 is not running or has no guest agent configured (no agent socket at /var/run/qemu-server/fake.qga)\"},\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"hash\":\"5ebc2a6158b153e3cf37e23c1fc78933d6b0ac145fabff58925b0d217e2bbf19\"}\n", auditFile());
        }
    }

    @Nested
    class ADamagedState {
        @Test
        void isSetAsideWithOneUntimestampedLineInTheWorkerLog() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("timeSync", "keep")).stateText(VM, "{not json\u001b");
            fx.ga.vmStopped();

            assertThrows(EnvironmentException.class, () -> fx.worker().apply(VM, false, false));

            assertEquals("time-shift: VM 105: damaged state " + fx.host().paths().stateFile(VM) + ": not valid JSON (expected a string at offset 1); moved to 105.json.bad-20260110T080000Z; starting over as on a first start\n"
                    + "2026-01-10T08:00:00Z VM 105: applying fixed 2021-03-01T12:00:00Z (offset -1775d 20h 0m 0.000s, manual)\n"
                    + "2026-01-10T08:00:00Z VM 105: apply failed: VM 105 stopped (or its agent socket vanished) during apply: VM 105 is not running or has no guest agent configured (no agent socket at /var/run/qemu-server/fake.qga)\n", fx.log());
        }
    }

    /** The record's own forms, without a worker: the key order, the value types, what is left out. */
    @Nested
    class TheRecordAlone {
        private final Instant t0 = Instant.parse("2026-01-10T08:00:00Z");

        @Test
        void aStartedRecordHasItsSevenFieldsAndNothingElse() {
            ApplyRecord r = ApplyRecord.started(t0, 42);

            assertEquals("{\"startedAt\":\"2026-01-10T08:00:00Z\",\"finishedAt\":null,\"result\":\"running\",\"message\":null,"
                    + "\"guestTimeAfter\":null,\"errorMs\":null,\"workerPid\":42}", Json.compact(r.toJson()));
            assertEquals("{\"result\":\"running\"}", Json.compact(r.toAuditDetails()));
        }

        @Test
        void aFullRecordKeepsTheContractsKeyOrderAndAuditsItsSummary() {
            ApplyRecord r = ApplyRecord.started(t0, 42)
                    .withHold(new ApplyRecord.Hold(1, "VM stopped during the hold period", t0.plusSeconds(60)))
                    .withGuest(new ApplyRecord.Guest("Debian", "+01:00 CET", "kept (policy timeSync=keep)", "/p.json"))
                    .withTiming(new ApplyRecord.Timing(12L, 2, 3.5))
                    .withReading(new ApplyRecord.Reading(Instant.parse("2021-03-01T12:00:00.001Z"), 1.25))
                    .withOutcome(new ApplyRecord.Outcome(t0.plusSeconds(1), ApplyRecord.Result.OK, "set"));

            assertEquals("{\"startedAt\":\"2026-01-10T08:00:00Z\",\"finishedAt\":\"2026-01-10T08:00:01Z\",\"result\":\"ok\","
                    + "\"message\":\"set\",\"guestTimeAfter\":\"2021-03-01T12:00:00.001Z\",\"errorMs\":1.25,\"workerPid\":42,"
                    + "\"agentWaitMs\":12,\"sets\":2,\"applyMs\":3.5,\"guestOs\":\"Debian\",\"guestZone\":\"+01:00 CET\","
                    + "\"timeSync\":\"kept (policy timeSync=keep)\",\"guestPolicy\":\"/p.json\",\"reapplied\":1,"
                    + "\"hold\":\"VM stopped during the hold period\",\"holdEndedAt\":\"2026-01-10T08:01:00Z\"}",
                    Json.compact(r.toJson()));
            assertEquals("{\"result\":\"ok\",\"message\":\"set\",\"guestTimeAfter\":\"2021-03-01T12:00:00.001Z\","
                    + "\"errorMs\":1.25,\"agentWaitMs\":12,\"applyMs\":3.5,\"timeSync\":\"kept (policy timeSync=keep)\","
                    + "\"reapplied\":1}", Json.compact(r.toAuditDetails()));
            assertEquals(1, r.reapplied());
            assertTrue(r.ok());
        }
    }
}

package io.timeshift.host.hook;

import io.timeshift.host.io.Json;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.RecordingDetacher;
import io.timeshift.host.testing.ApplyWorkerFixture;
import io.timeshift.pve.qga.QgaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static io.timeshift.host.testing.ApplyWorkerFixture.VM;
import static io.timeshift.host.testing.ApplyWorkerFixture.DATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adversarial tester's reproducers (issue 10), one behaviour each: nothing in a policy, a VM config,
 * the state, a clock mirror or a guest's reply crashes a hook phase, blocks a start the policy lets go
 * ahead, or loses the phase's record; every message stays one short line.
 */
class HostileInputTest {
    @RegisterExtension
    final ApplyWorkerFixture fx = new ApplyWorkerFixture();
    private final Map<String, String> env = new HashMap<>(Map.of("PVE_MIGRATED_FROM", ""));

    private int hook(String phase) {
        return hook(phase, fx.clock, fx.ga::client);
    }

    private int hook(String phase, Clock c, IntFunction<QgaClient> agents) {
        return fx.hookService(env, new RecordingDetacher(), c, agents).handle(VM, phase).exitCode();
    }

    private String oneErrLine() {
        List<String> lines = fx.errLines();
        assertEquals(1, lines.size(), lines.toString());
        String l = lines.get(0);
        assertTrue(l.length() <= 1000, "line of " + l.length() + " characters");
        assertFalse(l.contains("\u0000") || l.contains("\u001b") || l.contains("\r"), l);
        return l;
    }

    private void policyText(String json) {
        fx.host().policy(VM, json);
    }

    private Map<String, Object> lastAudit() {
        List<Map<String, Object>> all = fx.host().auditEntries();
        return all.get(all.size() - 1);
    }

    private void assertAuditVerifies() {
        var v = fx.host().verifyAudit(fx.clock);
        assertTrue(v.ok(), v.problem());
    }

    @Nested
    class InThePolicy {
        private static final String NUL_MODE = "{\"version\":1,\"vmid\":105,\"mode\":\"fi\\u0000xed\",\"date\":\"" + DATE + "\",\"onError\":\"%s\"}";

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"pre-start", "post-start", "pre-stop", "post-stop"})
        void aNulInAValueLetsEveryPhaseGoOnUnderWarnWithOneEscapedLineAndAnAuditEntry(String phase) {
            policyText(String.format(NUL_MODE, "warn"));

            assertEquals(0, hook(phase));

            assertTrue(oneErrLine().contains("field 'mode': 'fi\\u0000xed' is not a mode"), fx.errLines().toString());
            Map<?, ?> details = (Map<?, ?>) lastAudit().get("details");
            assertEquals("invalid-policy", details.get("result"));
            assertTrue(String.valueOf(details.get("message")).contains("fi\\u0000xed"));
            assertAuditVerifies();
        }

        @Test
        void aNulInAValueUnderAbortRefusesTheStartWithExitTwo() {
            policyText(String.format(NUL_MODE, "abort"));

            assertEquals(2, hook("pre-start"));
            assertTrue(oneErrLine().contains("onError=abort: start refused"));
        }

        @Test
        void anOffsetOfMinus300YearsIsInvalidInputNamingTheFieldNotAnOverflow() {
            fx.host().policy(PolicyJson.offset(VM, "-300y"));

            assertEquals(0, hook("pre-start"));
            String line = oneErrLine();
            assertTrue(line.contains("field 'offset': '-300y' is beyond 100 years"), line);
            assertFalse(line.contains("ArithmeticException"), line);

            fx.host().policy(PolicyJson.offset(VM, "-300y").with("onError", "abort"));
            assertEquals(2, hook("pre-start"));
        }

        @Test
        void aToleranceOf200000DaysIsInvalidInputNamingTheField() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("tolerance", "P200000D"));

            assertEquals(0, hook("pre-start"));
            assertTrue(oneErrLine().contains("field 'tolerance': 'P200000D' is beyond 100 years"), fx.errLines().toString());
        }

        @Test
        void aTenMegabyteValueIsCutInStderrAndInTheAuditLog() throws Exception {
            policyText("{\"version\":1,\"vmid\":105,\"mode\":\"" + "m".repeat(10 << 20) + "\",\"date\":\"" + DATE + "\"}");

            assertEquals(0, hook("pre-start"));

            String line = oneErrLine();
            assertTrue(line.contains("'" + "m".repeat(199) + "\u2026'"), "the value is cut to 200 characters");
            assertTrue(Files.size(fx.host().paths().auditLog()) < 4096, "audit log of " + Files.size(fx.host().paths().auditLog()) + " bytes");
        }

        @Test
        void newlinesAndTerminalEscapesInAValueStayOnOneLine() {
            policyText("{\"version\":1,\"vmid\":105,\"mode\":\"x\\n\\u001b[2J\\r\\u009bevil\",\"date\":\"" + DATE + "\"}");

            assertEquals(0, hook("pre-start"));
            assertTrue(oneErrLine().contains("'x\\n\\u001b[2J\\r\\u009bevil'"), fx.errLines().toString());
        }

        @Test
        void anUnknownFieldNamedWithControlCharactersIsEchoedEscaped() {
            policyText("{\"version\":1,\"vmid\":105,\"mode\":\"fixed\",\"date\":\"" + DATE + "\",\"a\\u001bb\":1}");

            assertEquals(0, hook("pre-start"));
            assertTrue(oneErrLine().contains("field 'a\\u001bb': unknown field"), fx.errLines().toString());
        }

        @Test
        void invalidUtf8IsInvalidInputNotAnEnvironmentError() throws Exception {
            Files.createDirectories(fx.host().paths().policyFile(VM).getParent());
            Files.write(fx.host().paths().policyFile(VM), new byte[] {'{', '"', (byte) 0xc3, '"', '}'});

            assertEquals(0, hook("pre-start"));
            assertTrue(oneErrLine().endsWith(": not valid UTF-8 (re-create it with time-shift enable 105, or fix the file)"),
                    fx.errLines().toString());
        }
    }

    @Nested
    class InTheState {
        @Test
        void aNulInAFieldWeDoNotKnowIsKeptAndWrittenEscaped() throws Exception {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.host().stateText(VM, "{\"vmid\":105,\"note\":\"a\\u0000b\"}");

            assertEquals(0, hook("pre-start"));

            assertEquals(List.of(), fx.errLines());
            assertTrue(Files.readString(fx.host().paths().stateFile(VM)).contains("\"a\\u0000b\""));
            assertEquals("a\u0000b", fx.host().state(VM).get("note"));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"{\"vmid\":105,\"run\":{\"offsetNs\":1e400,\"startedAt\":\"2026-01-10T07:00:00Z\"}}",
                "{\"vmid\":105,\"lastApply\":{\"startedAt\":\"yesterday\"}}", "{\"vmid\":105,\"lastPhase\":[1]}", "[]", "{"})
        void aDamagedStateIsSetAsideOnceAndTheStartGoesOnAsAFirstStart(String damaged) throws Exception {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            fx.host().stateText(VM, damaged);

            assertEquals(0, hook("pre-start"));

            assertTrue(oneErrLine().startsWith("time-shift: VM 105: damaged state " + fx.host().paths().stateFile(VM) + ": "));
            assertEquals(damaged, Files.readString(fx.host().paths().stateDir().resolve("105.json.bad-20260110T080000Z")));
            assertEquals("fixed", fx.host().stateObject(VM, "run").get("reason"));
            assertEquals(List.of("state-reset", "hook-pre-start"), fx.host().auditEntries().stream().map(m -> m.get("action")).toList());
            assertAuditVerifies();
        }

        @Test
        void invalidUtf8StateIsSetAsideToo() throws Exception {
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            Files.createDirectories(fx.host().paths().stateDir());
            Files.write(fx.host().paths().stateFile(VM), new byte[] {'{', '"', 'x', '"', ':', '"', (byte) 0xfe, '"', '}'});

            assertEquals(0, hook("pre-start"));
            assertTrue(oneErrLine().contains(": not valid UTF-8; moved to 105.json.bad-"));
        }
    }

    @Nested
    class FromTheGuest {
        @BeforeEach
        void runningContinueVm() {
            fx.host().policy(PolicyJson.continuing(VM, DATE)).agentSocket(VM);
            assertEquals(0, hook("pre-start"));
            fx.clock.advance(Duration.ofHours(1));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(longs = {Long.MIN_VALUE, Long.MAX_VALUE, -1L})
        void aGuestReportingAnExtremeTimeAtPreStopNeverBlocksTheNextStart(long ns) {
            fx.ga.getTimeAnswers(ns);

            assertEquals(0, hook("pre-stop"));
            assertEquals("estimate", fx.host().stateObject(VM, "lastStop").get("source"), "the reading is refused, the stop estimated");
            assertEquals(0, hook("post-stop"));
            fx.clock.advance(Duration.ofHours(1));
            assertEquals(0, hook("pre-start"));

            assertEquals(List.of(), fx.errLines());
            assertEquals("continue", fx.host().stateObject(VM, "run").get("reason"));
            assertEquals("2021-03-01T13:00:00Z", fx.host().stateObject(VM, "lastStop").get("guestTime"));
        }

        @Test
        void aRawNulByteInTheGuestsReplyAtPreStopIsRecordedAsAnAgentNote() {
            fx.ga.rawReply("guest-get-time", "{\"return\": 1\u0000}\n".getBytes(StandardCharsets.UTF_8));

            assertEquals(0, hook("pre-stop"));

            Map<?, ?> details = (Map<?, ?>) lastAudit().get("details");
            assertTrue(String.valueOf(details.get("agent")).contains("invalid JSON"), details.toString());
            assertFalse(Json.compact(details).contains("\u0000"));
            assertAuditVerifies();
        }

        @Test
        void aClockMirrorFarInTheFutureIsIgnoredNotAnOverflow() throws Exception {
            assertEquals(0, hook("pre-stop"));
            assertEquals(0, hook("post-stop"));
            Files.delete(fx.host().paths().stateFile(VM));
            Files.writeString(fx.host().paths().clockMirror(VM), "{\"hostTime\":\"2026-01-10T09:00:00Z\","
                    + "\"guestTime\":\"+1000000000-01-01T00:00:00Z\",\"source\":\"agent\",\"offsetNs\":9223372036854775807}");

            assertEquals(0, hook("pre-start"));

            assertEquals(List.of(), fx.errLines());
            assertEquals("continue-first", fx.host().stateObject(VM, "run").get("reason"));
        }
    }

    @Nested
    class ErrorsTheJvmSurvives {
        /** Throws {@code error} from the first instant() only (the audit entry afterwards works). */
        private Clock throwingOnce(Error error) {
            return new Clock() {
                private boolean thrown;

                @Override
                public ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    if (!thrown) {
                        thrown = true;
                        throw error;
                    }
                    return fx.clock.instant();
                }
            };
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"pre-start", "post-start", "pre-stop", "post-stop"})
        void aStackOverflowInAnyPhaseIsOneLineAndExitZeroUnderWarn(String phase) {
            fx.host().policy(PolicyJson.fixed(VM, DATE));

            assertEquals(0, hook(phase, throwingOnce(new StackOverflowError()), fx.ga::client));

            assertTrue(oneErrLine().contains(phase + ": internal error StackOverflowError"), fx.errLines().toString());
            assertEquals("error", ((Map<?, ?>) lastAudit().get("details")).get("result"));
        }

        @Test
        void anOutOfMemoryErrorInPreStartUnderAbortRefusesTheStartWithExitThree() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("onError", "abort"));

            assertEquals(3, hook("pre-start", throwingOnce(new OutOfMemoryError("Java heap space")), fx.ga::client));
            assertTrue(oneErrLine().contains("internal error OutOfMemoryError: Java heap space (onError=abort: start refused)"));
        }

        @Test
        void whateverEscapesAPhaseIsOneLineAndKeepsTheExitPolicyOfThePhase() {
            fx.host().policy(PolicyJson.fixed(VM, DATE).with("onError", "abort"));
            PrintStream e = fx.errStream();

            assertEquals(3, HookMain.Last.resort(fx.host().paths(), VM, "pre-start", new StackOverflowError("deep\ner"), e));
            assertEquals(0, HookMain.Last.resort(fx.host().paths(), VM, "post-stop", new OutOfMemoryError(), e));
            fx.host().policy(PolicyJson.fixed(VM, DATE));
            assertEquals(0, HookMain.Last.resort(fx.host().paths(), VM, "pre-start", new LinkageError("x"), e));

            List<String> lines = fx.errLines();
            assertEquals(3, lines.size());
            assertEquals("time-shift: VM 105 pre-start: internal error StackOverflowError: deep\\ner (onError=abort: start refused)",
                    lines.get(0));
        }

        @Test
        void anErrorFromTheAgentSeamAtPreStopIsExitZero() {
            fx.host().policy(PolicyJson.fixed(VM, DATE)).agentSocket(VM);

            assertEquals(0, hook("pre-stop", fx.clock, vmid -> {
                throw new OutOfMemoryError("agent");
            }));
            assertNotNull(oneErrLine());
        }
    }
}

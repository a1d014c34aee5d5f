package io.timeshift.host.hook;

import io.timeshift.host.env.HostConfig;
import io.timeshift.host.io.Json;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.RecordingDetacher;
import io.timeshift.host.testing.TempHost;
import io.timeshift.pve.qga.QgaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

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
    private static final int VM = 105;
    private static final String DATE = "2021-03-01T12:00:00Z";
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");
    private static final HostConfig CONFIG = new HostConfig(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(2));

    @TempDir
    Path dir;

    private TempHost host;
    private final MutableClock clock = new MutableClock(T0);
    private final FakeMonotonic mono = new FakeMonotonic();
    private final FakeQemuGa ga = new FakeQemuGa(clock, mono);
    private final Map<String, String> env = new HashMap<>(Map.of("PVE_MIGRATED_FROM", ""));
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void node() {
        host = new TempHost(dir).confWith(VM);
    }

    private int hook(String phase) {
        return hook(phase, clock, ga::client);
    }

    private int hook(String phase, Clock c, IntFunction<QgaClient> agents) {
        out.reset();
        err.reset();
        return new HookService(host.paths(), CONFIG, env, c, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new RecordingDetacher(), agents).handle(VM, phase).exitCode();
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private String oneErrLine() {
        List<String> lines = errLines();
        assertEquals(1, lines.size(), lines.toString());
        String l = lines.get(0);
        assertTrue(l.length() <= 1000, "line of " + l.length() + " characters");
        assertFalse(l.contains("\u0000") || l.contains("\u001b") || l.contains("\r"), l);
        return l;
    }

    private void policyText(String json) {
        host.policy(VM, json);
    }

    private Map<String, Object> lastAudit() {
        List<Map<String, Object>> all = host.auditEntries();
        return all.get(all.size() - 1);
    }

    private void assertAuditVerifies() {
        var v = host.verifyAudit(clock);
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

            assertTrue(oneErrLine().contains("field 'mode': 'fi\\u0000xed' is not a mode"), errLines().toString());
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
            host.policy(PolicyJson.offset(VM, "-300y"));

            assertEquals(0, hook("pre-start"));
            String line = oneErrLine();
            assertTrue(line.contains("field 'offset': '-300y' is beyond 100 years"), line);
            assertFalse(line.contains("ArithmeticException"), line);

            host.policy(PolicyJson.offset(VM, "-300y").with("onError", "abort"));
            assertEquals(2, hook("pre-start"));
        }

        @Test
        void aToleranceOf200000DaysIsInvalidInputNamingTheField() {
            host.policy(PolicyJson.fixed(VM, DATE).with("tolerance", "P200000D"));

            assertEquals(0, hook("pre-start"));
            assertTrue(oneErrLine().contains("field 'tolerance': 'P200000D' is beyond 100 years"), errLines().toString());
        }

        @Test
        void aTenMegabyteValueIsCutInStderrAndInTheAuditLog() throws Exception {
            policyText("{\"version\":1,\"vmid\":105,\"mode\":\"" + "m".repeat(10 << 20) + "\",\"date\":\"" + DATE + "\"}");

            assertEquals(0, hook("pre-start"));

            String line = oneErrLine();
            assertTrue(line.contains("'" + "m".repeat(199) + "\u2026'"), "the value is cut to 200 characters");
            assertTrue(Files.size(host.paths().auditLog()) < 4096, "audit log of " + Files.size(host.paths().auditLog()) + " bytes");
        }

        @Test
        void newlinesAndTerminalEscapesInAValueStayOnOneLine() {
            policyText("{\"version\":1,\"vmid\":105,\"mode\":\"x\\n\\u001b[2J\\r\\u009bevil\",\"date\":\"" + DATE + "\"}");

            assertEquals(0, hook("pre-start"));
            assertTrue(oneErrLine().contains("'x\\n\\u001b[2J\\r\\u009bevil'"), errLines().toString());
        }

        @Test
        void anUnknownFieldNamedWithControlCharactersIsEchoedEscaped() {
            policyText("{\"version\":1,\"vmid\":105,\"mode\":\"fixed\",\"date\":\"" + DATE + "\",\"a\\u001bb\":1}");

            assertEquals(0, hook("pre-start"));
            assertTrue(oneErrLine().contains("field 'a\\u001bb': unknown field"), errLines().toString());
        }

        @Test
        void invalidUtf8IsInvalidInputNotAnEnvironmentError() throws Exception {
            Files.createDirectories(host.paths().policyFile(VM).getParent());
            Files.write(host.paths().policyFile(VM), new byte[] {'{', '"', (byte) 0xc3, '"', '}'});

            assertEquals(0, hook("pre-start"));
            assertTrue(oneErrLine().endsWith(": not valid UTF-8 (re-create it with time-shift enable 105, or fix the file)"),
                    errLines().toString());
        }
    }

    @Nested
    class InTheState {
        @Test
        void aNulInAFieldWeDoNotKnowIsKeptAndWrittenEscaped() throws Exception {
            host.policy(PolicyJson.fixed(VM, DATE));
            host.stateText(VM, "{\"vmid\":105,\"note\":\"a\\u0000b\"}");

            assertEquals(0, hook("pre-start"));

            assertEquals(List.of(), errLines());
            assertTrue(Files.readString(host.paths().stateFile(VM)).contains("\"a\\u0000b\""));
            assertEquals("a\u0000b", host.state(VM).get("note"));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"{\"vmid\":105,\"run\":{\"offsetNs\":1e400,\"startedAt\":\"2026-01-10T07:00:00Z\"}}",
                "{\"vmid\":105,\"lastApply\":{\"startedAt\":\"yesterday\"}}", "{\"vmid\":105,\"lastPhase\":[1]}", "[]", "{"})
        void aDamagedStateIsSetAsideOnceAndTheStartGoesOnAsAFirstStart(String damaged) throws Exception {
            host.policy(PolicyJson.fixed(VM, DATE));
            host.stateText(VM, damaged);

            assertEquals(0, hook("pre-start"));

            assertTrue(oneErrLine().startsWith("time-shift: VM 105: damaged state " + host.paths().stateFile(VM) + ": "));
            assertEquals(damaged, Files.readString(host.paths().stateDir().resolve("105.json.bad-20260110T080000Z")));
            assertEquals("fixed", host.stateObject(VM, "run").get("reason"));
            assertEquals(List.of("state-reset", "hook-pre-start"), host.auditEntries().stream().map(m -> m.get("action")).toList());
            assertAuditVerifies();
        }

        @Test
        void invalidUtf8StateIsSetAsideToo() throws Exception {
            host.policy(PolicyJson.fixed(VM, DATE));
            Files.createDirectories(host.paths().stateDir());
            Files.write(host.paths().stateFile(VM), new byte[] {'{', '"', 'x', '"', ':', '"', (byte) 0xfe, '"', '}'});

            assertEquals(0, hook("pre-start"));
            assertTrue(oneErrLine().contains(": not valid UTF-8; moved to 105.json.bad-"));
        }
    }

    @Nested
    class FromTheGuest {
        @BeforeEach
        void runningContinueVm() {
            host.policy(PolicyJson.continuing(VM, DATE)).agentSocket(VM);
            assertEquals(0, hook("pre-start"));
            clock.advance(Duration.ofHours(1));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(longs = {Long.MIN_VALUE, Long.MAX_VALUE, -1L})
        void aGuestReportingAnExtremeTimeAtPreStopNeverBlocksTheNextStart(long ns) {
            ga.getTimeAnswers(ns);

            assertEquals(0, hook("pre-stop"));
            assertEquals("estimate", host.stateObject(VM, "lastStop").get("source"), "the reading is refused, the stop estimated");
            assertEquals(0, hook("post-stop"));
            clock.advance(Duration.ofHours(1));
            assertEquals(0, hook("pre-start"));

            assertEquals(List.of(), errLines());
            assertEquals("continue", host.stateObject(VM, "run").get("reason"));
            assertEquals("2021-03-01T13:00:00Z", host.stateObject(VM, "lastStop").get("guestTime"));
        }

        @Test
        void aRawNulByteInTheGuestsReplyAtPreStopIsRecordedAsAnAgentNote() {
            ga.rawReply("guest-get-time", "{\"return\": 1\u0000}\n".getBytes(StandardCharsets.UTF_8));

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
            Files.delete(host.paths().stateFile(VM));
            Files.writeString(host.paths().clockMirror(VM), "{\"hostTime\":\"2026-01-10T09:00:00Z\","
                    + "\"guestTime\":\"+1000000000-01-01T00:00:00Z\",\"source\":\"agent\",\"offsetNs\":9223372036854775807}");

            assertEquals(0, hook("pre-start"));

            assertEquals(List.of(), errLines());
            assertEquals("continue-first", host.stateObject(VM, "run").get("reason"));
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
                    return clock.instant();
                }
            };
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"pre-start", "post-start", "pre-stop", "post-stop"})
        void aStackOverflowInAnyPhaseIsOneLineAndExitZeroUnderWarn(String phase) {
            host.policy(PolicyJson.fixed(VM, DATE));

            assertEquals(0, hook(phase, throwingOnce(new StackOverflowError()), ga::client));

            assertTrue(oneErrLine().contains(phase + ": internal error StackOverflowError"), errLines().toString());
            assertEquals("error", ((Map<?, ?>) lastAudit().get("details")).get("result"));
        }

        @Test
        void anOutOfMemoryErrorInPreStartUnderAbortRefusesTheStartWithExitThree() {
            host.policy(PolicyJson.fixed(VM, DATE).with("onError", "abort"));

            assertEquals(3, hook("pre-start", throwingOnce(new OutOfMemoryError("Java heap space")), ga::client));
            assertTrue(oneErrLine().contains("internal error OutOfMemoryError: Java heap space (onError=abort: start refused)"));
        }

        @Test
        void whateverEscapesAPhaseIsOneLineAndKeepsTheExitPolicyOfThePhase() {
            host.policy(PolicyJson.fixed(VM, DATE).with("onError", "abort"));
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);

            assertEquals(3, HookMain.Last.resort(host.paths(), VM, "pre-start", new StackOverflowError("deep\ner"), e));
            assertEquals(0, HookMain.Last.resort(host.paths(), VM, "post-stop", new OutOfMemoryError(), e));
            host.policy(PolicyJson.fixed(VM, DATE));
            assertEquals(0, HookMain.Last.resort(host.paths(), VM, "pre-start", new LinkageError("x"), e));

            List<String> lines = errLines();
            assertEquals(3, lines.size());
            assertEquals("time-shift: VM 105 pre-start: internal error StackOverflowError: deep\\ner (onError=abort: start refused)",
                    lines.get(0));
        }

        @Test
        void anErrorFromTheAgentSeamAtPreStopIsExitZero() {
            host.policy(PolicyJson.fixed(VM, DATE)).agentSocket(VM);

            assertEquals(0, hook("pre-stop", clock, vmid -> {
                throw new OutOfMemoryError("agent");
            }));
            assertNotNull(oneErrLine());
        }
    }
}

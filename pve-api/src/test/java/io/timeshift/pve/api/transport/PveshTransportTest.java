package io.timeshift.pve.api.transport;

import io.timeshift.common.error.InvalidInputException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timeshift.pve.api.ConfigUpdate;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.VmConfigView;
import io.timeshift.pve.api.error.PveConflictException;
import io.timeshift.pve.api.error.PveConflictException.Reason;
import io.timeshift.pve.api.error.PveNotFoundException;
import io.timeshift.pve.api.error.PveParameterException;
import io.timeshift.pve.api.error.PvePermissionException;
import io.timeshift.pve.api.error.PveServerException;
import io.timeshift.pve.api.error.PveTimeoutException;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.pve.api.retry.RetryConfig;
import io.timeshift.pve.api.support.FakePvesh;
import io.timeshift.testsupport.PveFixtures;
import io.timeshift.common.error.EnvironmentException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** PveshTransport against a fake pvesh script first on an injected PATH. */
class PveshTransportTest {
    @TempDir
    Path tmp;
    FakePvesh pvesh;
    PveshTransport transport;

    @BeforeEach
    void setUp() {
        pvesh = new FakePvesh(tmp);
        transport = PveshTransport.builder().searchPath(pvesh.binDir() + ":/usr/bin:/bin").timeout(Duration.ofSeconds(20)).build();
    }

    private static String data(String fixture) {
        return PveJson.data(PveJson.parse(PveFixtures.load(fixture), "fixture")).toString() + "\n";
    }

    @Nested
    class Argv {
        @Test
        void findsPveshOnTheInjectedPath() {
            assertEquals(pvesh.executable(), transport.executable());
        }

        @Test
        void getPassesPathOutputFormatAndQueryAsSeparateArguments() {
            pvesh.replay("[]\n", "", 0);

            transport.call(Method.GET, "/cluster/resources", Map.of("type", "vm"));

            assertEquals(List.of(pvesh.executable().toString(), "get", "/cluster/resources", "--output-format", "json", "--type", "vm"),
                    pvesh.lastArgv());
        }

        @Test
        void putIsSetWithValuesVerbatimIncludingSpacesNewlinesAndDashes() {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("description", "line one\nline 'two' $(not a shell)");
            params.put("startdate", "2021-03-01T12:00:00");
            params.put("args", "-rtc base=2021-03-01");

            transport.call(Method.PUT, "/nodes/pve1/qemu/105/config", params);

            assertEquals(List.of(pvesh.executable().toString(), "set", "/nodes/pve1/qemu/105/config", "--output-format", "json",
                    "--description", "line one\nline 'two' $(not a shell)", "--startdate", "2021-03-01T12:00:00",
                    "--args", "-rtc base=2021-03-01"), pvesh.lastArgv());
        }

        @Test
        void postIsCreateAndListsRepeatTheOption() {
            pvesh.replay("{\"pid\":4321}\n", "", 0);
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("command", List.of("/usr/bin/date", "-u", "+%s"));

            transport.call(Method.POST, "/nodes/pve1/qemu/105/agent/exec", params);

            assertEquals(List.of(pvesh.executable().toString(), "create", "/nodes/pve1/qemu/105/agent/exec", "--output-format", "json",
                    "--command", "/usr/bin/date", "--command", "-u", "--command", "+%s"), pvesh.lastArgv());
        }

        @Test
        void deleteIsDelete() {
            transport.call(Method.DELETE, "/pools/lab", Map.of());
            assertEquals("delete", pvesh.lastArgv().get(1));
        }

        @Test
        void childRunsWithLcAllC() {
            transport.call(Method.GET, "/version", Map.of());
            assertTrue(pvesh.lastEnv().contains("LC_ALL=C"), pvesh.lastEnv());
        }

        @Test
        void rejectsParameterNamesThatCouldBeOptions() {
            assertThrows(io.timeshift.common.error.InvalidInputException.class,
                    () -> transport.call(Method.GET, "/version", Map.of("--output-format", "text")));
        }

        @Test
        void aMissingPveshSaysThisIsNotAPveNode() {
            EnvironmentException e = assertThrows(EnvironmentException.class,
                    () -> PveshTransport.builder().searchPath(tmp.resolve("nowhere").toString()).build());
            assertTrue(e.getMessage().startsWith("pvesh not found on PATH"), e.getMessage());
            assertEquals(3, e.exitCode());
        }

        @Test
        void anExplicitExecutableIsUsedAsIs() {
            PveshTransport t = PveshTransport.builder().executable(pvesh.executable()).build();
            pvesh.replay("{\"version\":\"8.2.4\"}", "", 0);
            assertEquals("8.2.4", t.call(Method.GET, "/version", Map.of()).data().get("version").asText());
        }
    }

    @Nested
    class Output {
        @Test
        void parsesTheBareDataPveshPrints() {
            pvesh.replay(data("qemu-config.json"), "", 0);

            VmConfigView cfg = PveClient.over(transport, RetryConfig.noDelays()).node("pve1").qemu(105).config();

            assertEquals("local:snippets/time-shift-hook", cfg.hookscript().orElseThrow());
            assertEquals(List.of("bmc", "time-shift"), cfg.tags());
        }

        @Test
        void emptyOutputOfSetIsNull() {
            pvesh.replay("", "update VM 105: -startdate 2021-03-01T12:00:00\n", 0);

            PveClient.over(transport, RetryConfig.noDelays()).node("pve1").qemu(105)
                    .updateConfig(ConfigUpdate.builder().set("startdate", "2021-03-01T12:00:00").build());

            assertEquals(List.of(pvesh.executable().toString(), "set", "/nodes/pve1/qemu/105/config", "--output-format", "json",
                    "--startdate", "2021-03-01T12:00:00"), pvesh.lastArgv());
        }

        @Test
        void aBareUpidStringIsReturnedAsText() {
            pvesh.replay("UPID:pve1:000A1B2C:0012D687:6744A1B0:qmstart:105:root@pam:\n", "", 0);
            assertEquals("UPID:pve1:000A1B2C:0012D687:6744A1B0:qmstart:105:root@pam:",
                    transport.call(Method.POST, "/nodes/pve1/qemu/105/status/start", Map.of()).data().asText());
        }
    }

    /** stderr exactly as pvesh prints PVE's exceptions (PVE::Exception::stringify), exit 255. */
    static Stream<Arguments> pveshErrors() {
        return Stream.of(
                Arguments.of("400 Parameter verification failed.\nstartdate: invalid format - value does not match the regex pattern\n\n"
                        + "pvesh set <api_path> [OPTIONS] [FORMAT_OPTIONS]\n", PveParameterException.class),
                Arguments.of("Configuration file 'nodes/pve1/qemu-server/105.conf' does not exist\n", PveNotFoundException.class),
                Arguments.of("VM 105 not running\n", PveConflictException.class),
                Arguments.of("checksum mismatch (file change by other user?)\n", PveConflictException.class),
                Arguments.of("only root can set 'hookscript' config\n", PvePermissionException.class),
                Arguments.of("cfs-lock 'file-user_cfg' error: no quorum!\n", PveConflictException.class),
                Arguments.of("trying to acquire lock...\ncan't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout\n",
                        PveConflictException.class),
                Arguments.of("VM is locked (backup)\n", PveConflictException.class),
                Arguments.of("403 Permission check failed (/vms/105, VM.Config.Options)\n", PvePermissionException.class),
                Arguments.of("no such resource '/nodes/pve1/qemu/105/nope'\n", PveNotFoundException.class),
                Arguments.of("got unexpected error from the node\n", PveServerException.class),
                Arguments.of("", PveServerException.class));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("pveshErrors")
    void mapsStderrToTheSameTypesAsHttps(String stderr, Class<? extends RuntimeException> expected) {
        pvesh.replay("", stderr, 255);

        RuntimeException e = assertThrows(RuntimeException.class, () -> transport.call(Method.PUT, "/nodes/pve1/qemu/105/config",
                Map.of("startdate", "x")));

        assertInstanceOf(expected, e);
        assertTrue(e.getMessage().startsWith("pvesh set /nodes/pve1/qemu/105/config: "), e.getMessage());
    }

    @Test
    void parameterErrorsKeepTheFieldMapAndStopAtTheUsage() {
        pvesh.replay("", "400 Parameter verification failed.\nstartdate: invalid format - value does not match the regex pattern\n"
                + "agent: invalid format\n\npvesh set <api_path> [OPTIONS] [FORMAT_OPTIONS]\n", 255);

        PveParameterException e = assertThrows(PveParameterException.class,
                () -> transport.call(Method.PUT, "/nodes/pve1/qemu/105/config", Map.of("startdate", "x")));

        assertEquals(Map.of("startdate", "invalid format - value does not match the regex pattern", "agent", "invalid format"),
                e.fieldErrors());
        assertEquals(400, e.status());
    }

    @Test
    void lockTimeoutAfterProgressLinesIsStillAConflict() {
        pvesh.replay("", "trying to acquire lock...\ncan't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout\n", 255);
        PveConflictException e = assertThrows(PveConflictException.class,
                () -> transport.call(Method.PUT, "/nodes/pve1/qemu/105/config", Map.of("startdate", "x")));
        assertEquals(Reason.LOCK_TIMEOUT, e.reason());
        assertEquals("can't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout", e.failure().pveMessage(),
                "pve-common lock_file_full's progress line is not the error");
        assertTrue(e.getMessage().startsWith("pvesh set /nodes/pve1/qemu/105/config: can't lock file "), e.getMessage());
    }

    @Test
    void aLockWaitThatEndedOkIsNotPartOfTheLaterError() {
        pvesh.replay("", "trying to acquire lock...\n OK\nVM is locked (backup)\n", 255);
        PveConflictException e = assertThrows(PveConflictException.class,
                () -> transport.call(Method.PUT, "/nodes/pve1/qemu/105/config", Map.of("startdate", "x")));
        assertEquals(Reason.LOCKED, e.reason());
        assertEquals("VM is locked (backup)", e.failure().pveMessage());
    }

    @Test
    void aPveshDieIsNotRetriedAsATransientServerError() {
        pvesh.replay("", "got unexpected error\n", 255);
        PveClient client = PveClient.over(transport, RetryConfig.noDelays());
        PveServerException e = assertThrows(PveServerException.class, () -> client.version());
        assertEquals(0, e.status());
    }

    @Test
    void aHangingPveshIsKilledAfterTheMonotonicTimeout() {
        pvesh.hang(30);
        PveshTransport quick = PveshTransport.builder().searchPath(pvesh.binDir() + ":/usr/bin:/bin").timeout(Duration.ofMillis(300)).build();
        long t0 = System.nanoTime();

        PveTimeoutException e = assertThrows(PveTimeoutException.class, () -> quick.call(Method.GET, "/version", Map.of()));

        assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(10)) < 0, "did not wait for the child");
        assertTrue(e.getMessage().contains("killed it"), e.getMessage());
        assertEquals(Duration.ofMillis(300), e.limit());
    }
}

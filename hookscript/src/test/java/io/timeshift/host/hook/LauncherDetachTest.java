package io.timeshift.host.hook;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The detach protocol, both ends: each {@link Detach} value's exit code, returned by a stub "java" run
 * through the real launcher (packaging/bin/time-shift, as the shell script it is), makes the launcher
 * start exactly {@code time-shift <Detach.args(vmid)>} (a stub launcher records its argv) and exit 0;
 * any other code is passed through and starts nothing.
 */
class LauncherDetachTest {
    private static final Path LAUNCHER = Path.of("..", "packaging", "bin", "time-shift").toAbsolutePath().normalize();
    private static final int VM = 105;

    @TempDir
    Path dir;
    private Path logDir;

    @BeforeEach
    void stubs() throws Exception {
        // a "Java 17" whose java records the detach mode it was started with and exits with $STUB_RC
        Path jdk = dir.resolve("jdk");
        Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"17.0.99\"\n");
        executable(jdk.resolve("bin/java"), "#!/bin/sh\nprintf '%s\\n' \"${TIME_SHIFT_DETACH-unset}\" > \"$STUB_DIR/hook-detach\"\n"
                + "exit \"$STUB_RC\"\n");
        // the worker side: the launcher started again, recording its arguments and environment
        executable(dir.resolve("worker-launcher"), "#!/bin/sh\n{ printf '%s\\n' \"${TIME_SHIFT_DETACH-unset}\"; "
                + "for a in \"$@\"; do printf '%s\\n' \"$a\"; done; } > \"$STUB_DIR/worker.tmp\"\n"
                + "mv \"$STUB_DIR/worker.tmp\" \"$STUB_DIR/worker\"\n");
        Files.createDirectories(dir.resolve("pve/time-shift"));
        Files.writeString(dir.resolve("pve/time-shift/" + VM + ".json"), "{}"); // past the no-policy fast path
        logDir = dir.resolve("log");
    }

    private static void executable(Path p, String text) throws Exception {
        Files.writeString(p, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The launcher as Proxmox runs it, with the stub java exiting {@code javaExit}; returns the launcher's exit code. */
    private int launcher(String phase, int javaExit) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", LAUNCHER.toString(), "hook", Integer.toString(VM), phase);
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        e.put("LC_ALL", "C");
        e.put("JAVA_HOME", dir.resolve("jdk").toString());
        e.put("TIME_SHIFT_CDS", "off");
        e.put("TIME_SHIFT_PVE_DIR", dir.resolve("pve").toString());
        e.put("TIME_SHIFT_LOG_DIR", logDir.toString());
        e.put("TIME_SHIFT_HOOK_CLASSPATH", dir.resolve("no-classes").toString());
        e.put("TIME_SHIFT_LAUNCHER", dir.resolve("worker-launcher").toString());
        e.put("STUB_DIR", dir.toString());
        e.put("STUB_RC", Integer.toString(javaExit));
        Process p = pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        assertEquals("", Files.readString(dir.resolve("err")));
        return p.exitValue();
    }

    /** The worker's recorded lines: its TIME_SHIFT_DETACH, then its arguments (waits for the detached start). */
    private List<String> worker() throws Exception {
        Path f = dir.resolve("worker");
        for (int i = 0; i < 600 && !Files.exists(f); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(f), "the launcher started no worker within 30 s");
        return Files.readAllLines(f);
    }

    private String hookDetachMode() throws Exception {
        return Files.readString(dir.resolve("hook-detach")).strip();
    }

    @Nested
    class ADetachExitCode {
        @ParameterizedTest(name = "{0} after post-start")
        @EnumSource(Detach.class)
        void afterPostStartStartsExactlyItsWorkerAndExitsZero(Detach d) throws Exception {
            assertEquals(0, launcher("post-start", d.exitCode()));

            List<String> w = worker();
            assertEquals("launcher", hookDetachMode(), "the hook JVM is told the launcher detaches");
            assertEquals("unset", w.get(0), "the worker is not told to leave work to a launcher");
            assertEquals(d.args(VM), w.subList(1, w.size()));
        }

        @ParameterizedTest(name = "{0} after post-stop")
        @EnumSource(Detach.class)
        void afterPostStopStartsExactlyItsWorkerAndExitsZero(Detach d) throws Exception {
            assertEquals(0, launcher("post-stop", d.exitCode()));

            List<String> w = worker();
            assertEquals(d.args(VM), w.subList(1, w.size()));
        }

        @Test
        void isWhatTheJavaSideReturnsForEachWorker() {
            assertEquals(List.of("apply", "105", "--worker"), Detach.APPLY.args(VM));
            assertEquals(List.of("rearm", "105"), Detach.REARM.args(VM));
            for (Detach d : Detach.values()) {
                assertEquals(d, Detach.ofExitCode(d.exitCode()));
                assertEquals(d.exitCode(), Outcome.detach(d).processExitCode());
            }
        }
    }

    @Nested
    class AnyOtherExitCode {
        @ParameterizedTest(name = "exit {0}")
        @ValueSource(ints = {0, 1, 2, 3, 74, 77, 125})
        void isPassedThroughAndStartsNothing(int code) throws Exception {
            assertEquals(code, launcher("post-start", code));

            assertEquals(null, Detach.ofExitCode(code));
            // the launcher creates the log directory before it starts a worker, synchronously
            assertFalse(Files.exists(logDir), "a worker was started for exit " + code);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"pre-start", "pre-stop"})
        void ofTheOtherPhasesIsPassedThroughEvenWhenItIsADetachCode(String phase) throws Exception {
            for (Detach d : Detach.values()) {
                assertEquals(d.exitCode(), launcher(phase, d.exitCode()));
                assertEquals("unset", hookDetachMode(), "only post-start and post-stop may leave a worker");
            }
            assertFalse(Files.exists(logDir));
        }
    }

    @Nested
    class AnOutcome {
        @Test
        void withoutAWorkerExitsWithItsOwnCode() {
            assertEquals(List.of(0, 3, 2), List.of(Outcome.OK.processExitCode(), Outcome.exit(3).processExitCode(),
                    Outcome.exit(2).processExitCode()));
            assertEquals(null, Outcome.exit(3).detach());
            assertEquals("exit 0, detach REARM", Outcome.detach(Detach.REARM).toString());
        }
    }
}

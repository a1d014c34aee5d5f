package io.timeshift.host.apply;

import io.timeshift.host.state.VmState;
import io.timeshift.host.testing.TempHost;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a worker is started again from the hook (the launcher, PATH, a log directory that cannot be made),
 * and the clock mirror on pmxcfs when it cannot be written or one of two stop records is missing.
 */
class DetacherAndMirrorTest {
    @TempDir
    Path dir;

    private Path executable(String name, String script) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, script);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Nested
    class StartingAWorker {
        @Test
        void anExecutableLauncherIsRunInsteadOfThisJvm() throws Exception {
            Path launcher = executable("time-shift", "#!/bin/sh\nexit 0\n");

            List<String> cmd = new Detacher(Map.of("TIME_SHIFT_LAUNCHER", launcher.toString())).selfCommand();

            assertEquals(List.of(launcher.toString()), cmd);
        }

        @Test
        void aLauncherThatIsNotExecutableIsPassedOverForThisJvm() throws Exception {
            Path launcher = Files.writeString(dir.resolve("time-shift"), "#!/bin/sh\n");

            List<String> cmd = new Detacher(Map.of("TIME_SHIFT_LAUNCHER", launcher.toString())).selfCommand();

            assertEquals("io.timeshift.host.Main", cmd.get(cmd.size() - 1));
            assertTrue(cmd.contains("-cp"), cmd.toString());
        }

        @Test
        void emptyPathEntriesAreSkippedWhenLookingForAProgram() throws Exception {
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Path setsid = bin.resolve("setsid");
            Files.writeString(setsid, "#!/bin/sh\n");
            Files.setPosixFilePermissions(setsid, PosixFilePermissions.fromString("rwxr-xr-x"));

            Detacher d = new Detacher(Map.of("PATH", "::" + bin + ":"));

            assertEquals(setsid.toString(), d.findOnPath("setsid"));
            assertNull(d.findOnPath("nice"));
        }

        @Test
        void aLogDirectoryThatCannotBeMadeDiscardsTheOutputButStillStartsTheWorker() throws Exception {
            Path marker = dir.resolve("ran");
            Path launcher = executable("time-shift", "#!/bin/sh\necho \"$@\" > " + marker + "\n");
            Path blocked = Files.writeString(dir.resolve("log"), "a file, not a directory");

            long pid = new Detacher(Map.of("TIME_SHIFT_LAUNCHER", launcher.toString(), "PATH", "/usr/bin:/bin"))
                    .spawn(List.of("apply", "105", "--worker"), blocked.resolve("worker.log"));

            ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(20, TimeUnit.SECONDS).join());
            for (int i = 0; i < 200 && !Files.exists(marker); i++) {
                Thread.sleep(50);
            }
            assertEquals("apply 105 --worker\n", Files.readString(marker));
            assertFalse(Files.isDirectory(blocked));
        }
    }

    @Nested
    class ClockMirrorOnPmxcfs {
        private final VmState.Stop stop = new VmState.Stop(Instant.parse("2026-01-10T08:00:00Z"),
                Instant.parse("2021-03-01T12:00:00Z"), "pre-stop", "run-1");

        @Test
        void aMirrorThatCannotBeWrittenIsLeftToTheNodeLocalState() throws Exception {
            TempHost host = new TempHost(dir);
            Path mirror = host.paths().clockMirror(105);
            Files.createDirectories(mirror); // a directory where the file should be: the write fails

            new ClockMirror(host.paths()).writeRun(105, new VmState.Run("run-2", Instant.parse("2026-01-10T09:00:00Z"),
                    -5L, "offset", false, "offset -P5Y"));

            assertTrue(Files.isDirectory(mirror));
        }

        @Test
        void theNewestOfTwoStopsWhenOneIsMissingIsTheOther() {
            assertSame(stop, ClockMirror.newest(null, stop));
            assertSame(stop, ClockMirror.newest(stop, null));
            assertNull(ClockMirror.newest(null, null));
        }
    }
}

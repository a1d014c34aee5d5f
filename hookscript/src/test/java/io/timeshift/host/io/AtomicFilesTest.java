package io.timeshift.host.io;

import io.timeshift.common.error.EnvironmentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void replacesTheTargetAndLeavesNoTempFile() throws Exception {
        Path target = dir.resolve("105.json");
        Files.writeString(target, "old");

        AtomicFiles.write(target, utf8("new"), AtomicFiles.MODE_0640);

        assertEquals("new", Files.readString(target));
        assertEquals(List.of("105.json"), names(dir));
    }

    @Test
    void createsMissingParentDirectories() throws Exception {
        Path target = dir.resolve("a/b/105.json");

        AtomicFiles.write(target, utf8("x"), AtomicFiles.MODE_0600);

        assertEquals("x", Files.readString(target));
    }

    @Test
    void setsThePmxcfsModes() throws Exception {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");

        AtomicFiles.write(a, utf8("{}"), AtomicFiles.MODE_0640);
        AtomicFiles.write(b, utf8("{}"), AtomicFiles.MODE_0600);

        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(a)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(b)));
    }

    @Test
    void replacingKeepsTheRequestedModeNotTheOldOne() throws Exception {
        Path target = dir.resolve("105.json");
        Files.writeString(target, "old");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxrwxrwx"));

        AtomicFiles.write(target, utf8("new"), AtomicFiles.MODE_0640);

        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    }

    @Test
    void failedRenameLeavesOldContentAndNoTempFile() throws Exception {
        // a non-empty directory where the file should go: the rename fails (also as root)
        Path target = dir.resolve("105.json");
        Files.createDirectories(target);
        Files.writeString(target.resolve("keep"), "old");

        EnvironmentException e = assertThrows(EnvironmentException.class,
                () -> AtomicFiles.write(target, utf8("new"), AtomicFiles.MODE_0640));

        assertEquals(3, e.exitCode());
        assertTrue(e.getMessage().startsWith("cannot write " + target), e.getMessage());
        assertEquals("old", Files.readString(target.resolve("keep")));
        assertEquals(List.of("105.json"), names(dir));
    }

    @Test
    void unwritableDirectoryIsAnEnvironmentErrorAndOldContentStays() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("ro"));
        Path target = sub.resolve("105.json");
        Files.writeString(target, "old");
        // root writes into a 0555 directory (CAP_DAC_OVERRIDE), but not into an immutable one (CI runs as root)
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            chattr("+i", sub);
        } else {
            Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        try {
            EnvironmentException e = assertThrows(EnvironmentException.class,
                    () -> AtomicFiles.write(target, utf8("new"), AtomicFiles.MODE_0640));

            assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
            assertEquals("old", Files.readString(target));
            assertEquals(List.of("105.json"), names(sub));
        } finally {
            if (root) {
                chattr("-i", sub);
            }
            Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static void chattr(String flag, Path p) throws Exception {
        Process c = new ProcessBuilder("chattr", flag, p.toString()).redirectErrorStream(true).start();
        String out = new String(c.getInputStream().readAllBytes());
        assertEquals(0, c.waitFor(), "chattr " + flag + " " + p + " (e2fsprogs, a filesystem with attributes): " + out);
    }

    @Test
    void parentThatIsAFileIsAnEnvironmentError() throws Exception {
        Files.writeString(dir.resolve("pve"), "not a directory");

        EnvironmentException e = assertThrows(EnvironmentException.class,
                () -> AtomicFiles.write(dir.resolve("pve/105.json"), utf8("x"), AtomicFiles.MODE_0640));

        assertTrue(e.getMessage().contains(dir.resolve("pve/105.json").toString()), e.getMessage());
    }

    @Test
    void concurrentWritersOfOneFileInOneProcessEachLeaveAWholeFile() throws Exception {
        Path target = dir.resolve("105.json");
        int writers = 4;
        int rounds = 50;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String content = String.valueOf((char) ('a' + w)).repeat(100_000);
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < rounds; i++) {
                        AtomicFiles.write(target, utf8(content), AtomicFiles.MODE_0640);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        String text = Files.readString(target);
        assertEquals(100_000, text.length());
        assertTrue(text.chars().allMatch(c -> c == text.charAt(0)), "mixed content from two writers");
        assertEquals(List.of("105.json"), names(dir));
    }

    @Test
    void describeNamesThePathAndTheFix() {
        assertEquals("cannot read /x: permission denied (run as root; /etc/pve is read-only without quorum)",
                AtomicFiles.describe("cannot read", Path.of("/x"), new java.nio.file.AccessDeniedException("/x")));
        assertEquals("cannot read /x: boom", AtomicFiles.describe("cannot read", Path.of("/x"), new IOException("boom")));
    }
}

package io.timeshift.host.demo;

import io.timeshift.host.apply.Detacher;

import io.timeshift.common.error.EnvironmentException;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The tiny test guest built by {@code tools/build-test-guest}: Debian's kernel (as an uncompressed
 * vmlinux for PVH boot), and an initramfs with busybox, Debian's qemu-guest-agent and a fake
 * systemctl. See {@code tools/guest/rc} for the kernel command line switches (qga_off,
 * qga_nohwclock, ts_units=..., ts_epoch_bump=..., ts_rtc_local=... for a guest reading its RTC as
 * local time, like Windows).
 *
 * <p>{@link #locate()} runs the build script once per JVM (a no-op taking ~1 s when the cache is
 * current). It is used by {@code time-shift demo} and by the real-VM tests (through their
 * {@code TestGuest}, which skips or, under {@code CI=true}, fails when the guest cannot be had).
 *
 * <p>Environment: {@code TIME_SHIFT_GUEST_CACHE} (cache dir, default {@code <repo>/.cache/test-guest}),
 * {@code TIME_SHIFT_QEMU} (QEMU binary, default {@code qemu-system-x86_64} from PATH),
 * {@code TIME_SHIFT_GUEST_NO_BUILD=1} (use the cache as it is, never run the script).
 */
public final class GuestImage {
    public static final String BUILD_SCRIPT = "tools/build-test-guest";
    private static final long BUILD_TIMEOUT_MINUTES = 10;

    private static GuestImage cached;
    private static String cachedFailure;

    private final Path dir;
    private final Map<String, String> info;

    private GuestImage(Path dir, Map<String, String> info) {
        this.dir = dir;
        this.info = info;
    }

    /**
     * The guest, built by {@code tools/build-test-guest} if its cache is missing or stale.
     *
     * @throws EnvironmentException naming why it cannot be had (no QEMU, no checkout, build failed)
     */
    public static synchronized GuestImage locate() {
        if (cached != null) {
            return cached;
        }
        if (cachedFailure != null) {
            throw new EnvironmentException(cachedFailure);
        }
        try {
            cached = locateOrBuild();
            return cached;
        } catch (Unavailable e) {
            cachedFailure = "test guest unavailable: " + e.getMessage();
            throw new EnvironmentException(cachedFailure);
        }
    }

    public static GuestImage at(Path dir) {
        return new GuestImage(dir, Map.of());
    }

    /** True when running under CI ({@code CI=true}): VM tests must then fail instead of skipping. */
    /** Aborts the current test (skipped) or, under CI, fails it with {@code reason}. */
    public Path dir() {
        return dir;
    }

    /** Uncompressed ELF kernel (PVH boot, the fast one under TCG). */
    public Path vmlinux() {
        return dir.resolve("vmlinux");
    }

    /** Debian's bzImage (slower: the guest decompresses XZ under TCG). */
    public Path vmlinuz() {
        return dir.resolve("vmlinuz");
    }

    public Path initramfs() {
        return dir.resolve("initramfs.cpio.gz");
    }

    public String kernelPackage() {
        return info.getOrDefault("KERNEL_PACKAGE", "?") + " " + info.getOrDefault("KERNEL_VERSION", "?");
    }

    @Override
    public String toString() {
        return "GuestImage[" + dir + ", " + kernelPackage() + ", qemu-guest-agent "
                + info.getOrDefault("QEMU_GA_VERSION", "?") + "]";
    }

    // ---------------------------------------------------------------------------------------------

    /** The QEMU binary: $TIME_SHIFT_QEMU, else qemu-system-x86_64 found on PATH (null if none). */
    public static Path qemuBinary() {
        String env = System.getenv("TIME_SHIFT_QEMU");
        if (env != null && !env.isBlank()) {
            Path p = Paths.get(env);
            return Files.isExecutable(p) ? p : null;
        }
        return onPath("qemu-system-x86_64");
    }

    static Path onPath(String name) {
        String found = new Detacher(System.getenv()).findOnPath(name);
        return found == null ? null : Paths.get(found);
    }

    /** The repository root: the nearest ancestor of the working directory holding the build script. */
    public static Path repoRoot() {
        String env = System.getenv("TIME_SHIFT_REPO");
        if (env != null && !env.isBlank()) {
            return Paths.get(env).toAbsolutePath().normalize();
        }
        Path p = Paths.get("").toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.isRegularFile(q.resolve(BUILD_SCRIPT))) {
                return q;
            }
        }
        return null;
    }

    public static Path cacheDir(Path repo) {
        String env = System.getenv("TIME_SHIFT_GUEST_CACHE");
        if (env != null && !env.isBlank()) {
            return Paths.get(env).toAbsolutePath().normalize();
        }
        return repo.resolve(".cache/test-guest");
    }

    private static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String m) {
            super(m);
        }
    }

    private static GuestImage locateOrBuild() throws Unavailable {
        if (qemuBinary() == null) {
            throw new Unavailable("qemu-system-x86_64 not found (PATH or $TIME_SHIFT_QEMU)");
        }
        Path repo = repoRoot();
        if (repo == null) {
            throw new Unavailable(BUILD_SCRIPT + " not found above " + Paths.get("").toAbsolutePath());
        }
        Path dir = cacheDir(repo);
        if (!"1".equals(System.getenv("TIME_SHIFT_GUEST_NO_BUILD"))) {
            build(repo, dir);
        }
        for (String f : List.of("vmlinux", "initramfs.cpio.gz", "guest.env")) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new Unavailable("test guest incomplete: " + dir.resolve(f) + " missing");
            }
        }
        return new GuestImage(dir, readEnv(dir.resolve("guest.env")));
    }

    private static void build(Path repo, Path dir) throws Unavailable {
        Path log;
        try {
            log = Files.createTempFile("build-test-guest", ".log");
        } catch (IOException e) {
            throw new Unavailable("cannot create a temp file: " + e);
        }
        List<String> cmd = new ArrayList<>(List.of("bash", repo.resolve(BUILD_SCRIPT).toString(), dir.toString()));
        long t0 = System.nanoTime();
        try {
            Process p = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!p.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new Unavailable(BUILD_SCRIPT + " did not finish within " + BUILD_TIMEOUT_MINUTES
                        + " min; output:\n" + lastLines(log, 40));
            }
            if (p.exitValue() != 0) {
                throw new Unavailable(BUILD_SCRIPT + " failed (exit " + p.exitValue() + "); output:\n" + lastLines(log, 40));
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("[GuestImage] " + String.join(" ", cmd) + ": " + ms + " ms; " + lastLines(log, 2).replace("\n", " | "));
        } catch (IOException e) {
            throw new Unavailable("cannot run " + BUILD_SCRIPT + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while building the test guest");
        } finally {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    private static String lastLines(Path f, int n) {
        try {
            List<String> l = Files.readAllLines(f, StandardCharsets.ISO_8859_1);
            return String.join("\n", l.subList(Math.max(0, l.size() - n), l.size()));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private static Map<String, String> readEnv(Path f) throws Unavailable {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0 && !line.startsWith("#")) {
                    m.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        } catch (IOException e) {
            throw new Unavailable("cannot read " + f + ": " + e);
        }
        return Collections.unmodifiableMap(m);
    }
}

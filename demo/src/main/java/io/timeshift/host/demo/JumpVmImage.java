package io.timeshift.host.demo;

import io.timeshift.common.error.EnvironmentException;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Debian 12 jump VM of {@code tools/build-jump-vm} (variant timesyncd) for {@code time-shift demo
 * --guest debian}: systemd as PID 1, systemd-timesyncd enabled, Debian's qemu-guest-agent, a JRE,
 * openssl and the time-shift-guest .deb. Only read from its cache ({@code $TIME_SHIFT_JUMPVM_CACHE},
 * default {@code /var/cache/time-shift-ci/jump-vm}, the one the jumpvm tests fill): building it needs
 * root, debootstrap and a Debian mirror, which a demo must not start on its own; when it is missing the
 * demo says in one line which command builds it.
 */
public final class JumpVmImage {
    public static final String CACHE_ENV = "TIME_SHIFT_JUMPVM_CACHE";
    public static final Path DEFAULT_CACHE = Paths.get("/var/cache/time-shift-ci/jump-vm");
    public static final String VARIANT = "timesyncd";

    private final Path dir;
    private final Map<String, String> info;

    private JumpVmImage(Path dir, Map<String, String> info) {
        this.dir = dir;
        this.info = info;
    }

    /**
     * The cached image.
     *
     * @throws EnvironmentException (exit 3) naming the command that builds it, when it is not there
     */
    public static JumpVmImage locate(Map<String, String> env) {
        String c = env.get(CACHE_ENV);
        Path cache = c == null || c.isBlank() ? DEFAULT_CACHE : Paths.get(c).toAbsolutePath().normalize();
        Path dir = cache.resolve(VARIANT);
        for (String f : List.of("image.env", "vmlinux", "initrd.img", "disk.raw")) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new EnvironmentException("demo --guest debian: the Debian jump-VM image is not built (no " + dir.resolve(f)
                        + "); build it once (root, debootstrap, a Debian mirror; ~10 min) with: " + buildCommand(env)
                        + ", or run the demo without --guest debian");
            }
        }
        Map<String, String> info;
        try {
            info = readInfo(dir);
        } catch (IOException e) {
            throw new EnvironmentException("demo --guest debian: cannot read " + dir.resolve("image.env") + " (" + e.getMessage()
                    + "); rebuild it with: " + buildCommand(env));
        }
        return new JumpVmImage(dir, info);
    }

    /** What builds the image, from the checkout's root. */
    /** {@code image.env} of a built image ({@code KEY=value} lines, in order): what tools/build-jump-vm recorded. */
    public static Map<String, String> readInfo(Path dir) throws IOException {
        Map<String, String> info = new LinkedHashMap<>();
        for (String l : Files.readAllLines(dir.resolve("image.env"), StandardCharsets.UTF_8)) {
            int eq = l.indexOf('=');
            if (eq > 0) {
                info.put(l.substring(0, eq), l.substring(eq + 1));
            }
        }
        return info;
    }

    static String buildCommand(Map<String, String> env) {
        String c = env.get(CACHE_ENV);
        return "mvn -B -q package -DskipTests && sudo tools/build-jump-vm --variant " + VARIANT
                + (c == null || c.isBlank() ? "" : " --cache " + c) + " packaging/target/time-shift-guest_*_all.deb";
    }

    public Path dir() {
        return dir;
    }

    /** One line for the demo's header: what the build recorded in image.env. */
    public String describe() {
        return "Debian 12 jump VM: kernel " + info.getOrDefault("KERNEL_RELEASE", "?") + ", systemd "
                + info.getOrDefault("PKG_SYSTEMD", "?") + " + systemd-timesyncd, qemu-guest-agent "
                + info.getOrDefault("PKG_QEMU_GUEST_AGENT", "?") + ", openssl " + info.getOrDefault("PKG_OPENSSL", "?")
                + ", time-shift-guest " + info.getOrDefault("PKG_TIME_SHIFT_GUEST", "?");
    }

    /**
     * Boot options: the image's kernel and initrd, root on a fresh qcow2 overlay in {@code workDir} (the
     * cached disk is never written), the RAM a systemd guest with a JVM needs, guest reboots allowed.
     */
    public QemuVm.Options options(Path workDir) throws IOException, InterruptedException {
        Path overlay = workDir.resolve("jump-vm.qcow2");
        Path qemuImg = GuestImage.onPath("qemu-img");
        if (qemuImg == null) {
            throw new EnvironmentException("demo --guest debian: qemu-img not found on PATH (package qemu-utils)");
        }
        Process p = new ProcessBuilder(qemuImg.toString(), "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
                dir.resolve("disk.raw").toString(), overlay.toString())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            String first = new String(out, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
            throw new EnvironmentException("demo --guest debian: qemu-img create " + overlay + " failed: " + first);
        }
        return QemuVm.Options.defaults().withMaxMemoryMb(1024).withGuestReboot(true)
                .withDiskBoot(dir.resolve("vmlinux"), dir.resolve("initrd.img"), overlay);
    }
}

package io.timeshift.jumpvm;

import io.timeshift.host.demo.GuestImage;
import io.timeshift.host.demo.QemuVm;
import io.timeshift.host.e2e.TestGuest;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Debian 12 jump VM of {@code tools/build-jump-vm} (variant timesyncd or chrony), built from
 * this build's guest .deb (system property {@code deb.guest}); the build is cached, a rerun with the
 * same inputs takes under a second. {@link #require} skips the test on a developer machine when the
 * image cannot be had (no QEMU, not root, no debootstrap) and FAILS under {@code CI=true}, like the
 * other real-VM tests ({@link TestGuest}). Each VM boots from its own qcow2 overlay, so the cached
 * disk is never written.
 */
final class JumpVmImage {
    private static final long BUILD_TIMEOUT_MINUTES = 40;
    private static final Map<String, Object> CACHE = new LinkedHashMap<>();

    final Path dir;
    final Map<String, String> info;
    final long buildMs;

    private JumpVmImage(Path dir, Map<String, String> info, long buildMs) {
        this.dir = dir;
        this.info = info;
        this.buildMs = buildMs;
    }

    static synchronized JumpVmImage require(String variant) {
        Object c = CACHE.get(variant);
        if (c == null) {
            try {
                c = build(variant);
            } catch (Unavailable e) {
                c = e.getMessage();
            }
            CACHE.put(variant, c);
        }
        if (c instanceof String why) {
            TestGuest.unavailable(why);
        }
        return (JumpVmImage) c;
    }

    /**
     * Boot options: kernel + initrd of the image, root on the overlay {@code <dir>/<vmid>.qcow2}, made on
     * first use and kept for later starts of the same VM (its disk, as on Proxmox).
     */
    QemuVm.Options options(Path overlayDir, int vmid) throws IOException, InterruptedException {
        Path overlay = overlayDir.resolve(vmid + ".qcow2");
        if (!Files.exists(overlay)) {
            run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", dir.resolve("disk.raw").toString(),
                    overlay.toString()), 1);
        }
        return QemuVm.Options.defaults().withMaxMemoryMb(1024)
                .withDiskBoot(dir.resolve("vmlinux"), dir.resolve("initrd.img"), overlay);
    }

    @Override
    public String toString() {
        return "JumpVmImage[" + dir + ", " + info + "]";
    }

    private static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String m) {
            super(m);
        }
    }

    private static JumpVmImage build(String variant) throws Unavailable {
        if (GuestImage.qemuBinary() == null) {
            throw new Unavailable("qemu-system-x86_64 not found (PATH or $TIME_SHIFT_QEMU)");
        }
        String uid = System.getProperty("user.name");
        if (!"root".equals(uid)) {
            throw new Unavailable("tools/build-jump-vm needs root (debootstrap, chroot); running as " + uid);
        }
        Path deb = Path.of(System.getProperty("deb.guest", ""));
        if (!Files.isRegularFile(deb)) {
            throw new Unavailable("the guest .deb " + deb + " was not built (run mvn verify, which packages it first)");
        }
        Path builder = Path.of(System.getProperty("jumpvm.builder", "../tools/build-jump-vm"));
        long t0 = System.nanoTime();
        String out;
        try {
            out = run(List.of("bash", builder.toString(), "--variant", variant, deb.toString()), BUILD_TIMEOUT_MINUTES);
        } catch (IOException e) {
            throw new Unavailable(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while building the jump VM");
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String[] lines = out.strip().split("\n");
        Path dir = Path.of(lines[lines.length - 1].strip());
        Map<String, String> info;
        try {
            info = io.timeshift.host.demo.JumpVmImage.readInfo(dir);
        } catch (IOException e) {
            throw new Unavailable("jump VM image incomplete: " + e);
        }
        System.out.println("[jumpvm] " + variant + " image " + dir + " ready in " + ms + " ms");
        return new JumpVmImage(dir, info, ms);
    }

    /** Runs a command; returns stdout; stderr goes to a log whose tail is in the exception. */
    private static String run(List<String> cmd, long timeoutMinutes) throws IOException, InterruptedException {
        Path err = Files.createTempFile("jumpvm", ".log");
        Path out = Files.createTempFile("jumpvm", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within " + timeoutMinutes + " min");
            }
            String log = Files.readString(err, StandardCharsets.UTF_8);
            System.out.print(log.lines().map(l -> "[jumpvm] " + l + "\n").reduce("", String::concat));
            if (p.exitValue() != 0) {
                String[] l = log.split("\n");
                throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): "
                        + String.join(" | ", List.of(l).subList(Math.max(0, l.length - 5), l.length)));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(err);
            Files.deleteIfExists(out);
        }
    }
}

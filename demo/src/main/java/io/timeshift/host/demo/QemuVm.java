package io.timeshift.host.demo;

import io.timeshift.pve.config.VmConfig;
import io.timeshift.pve.config.VmConfigParser;

import io.timeshift.host.time.GuestRtc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real QEMU VM booting the {@link GuestImage}, started from a Proxmox VM config file the way
 * qemu-server builds the command line (docs/pve-facts.md §2, docs/pve-rtc.md): {@code startdate} other than
 * {@code now} gives {@code -rtc base=<value>} (never {@code clock=}: QEMU's default clock=host),
 * {@code localtime: 1} gives {@code base=localtime}, {@code tdf: 1} gives {@code driftfix=slew}
 * (a Windows {@code ostype} implies both unless set, docs/pve-rtc.md),
 * {@code agent} enabled gives the qga chardev + virtio-serial port, and {@code args} is split like
 * a shell and appended LAST (so an {@code args: -rtc ...} wins, as on Proxmox).
 *
 * <p>Files in {@code runDir}: {@code <vmid>.qga} (agent socket, like /var/run/qemu-server/<vmid>.qga),
 * {@code <vmid>.qmp}, {@code <vmid>.pid} (-pidfile), {@code <vmid>.console.log} (guest ttyS0),
 * {@code <vmid>.qemu.log} (QEMU's own stdout/stderr).
 *
 * <p>QEMU runs as a child process of the test (no -daemonize); {@link #close()} ends it (QMP quit,
 * then SIGTERM, then SIGKILL) and waits. A JVM shutdown hook kills VMs a test forgot to close.
 */
public final class QemuVm implements AutoCloseable {

    /** Options that are not part of the Proxmox config. Immutable; use the with-methods. */
    public static final class Options {
        private final String kernelCmdline;
        private final boolean startPaused;
        private final boolean bzImage;
        private final boolean guestReboot;
        private final List<String> extraQemuArgs;
        private final DiskBoot diskBoot;
        private final int maxMemoryMb;

        private Options(String kernelCmdline, boolean startPaused, boolean bzImage, boolean guestReboot,
                List<String> extraQemuArgs, DiskBoot diskBoot, int maxMemoryMb) {
            this.kernelCmdline = kernelCmdline;
            this.startPaused = startPaused;
            this.bzImage = bzImage;
            this.guestReboot = guestReboot;
            this.extraQemuArgs = List.copyOf(extraQemuArgs);
            this.diskBoot = diskBoot;
            this.maxMemoryMb = maxMemoryMb;
        }

        public static Options defaults() {
            return new Options("", false, false, false, List.of(), null, MAX_MEMORY_MB);
        }

        /**
         * Boot {@code kernel} + {@code initrd} with the root file system on {@code disk} (a virtio
         * disk, {@code root=/dev/vda}) instead of the test guest's initramfs: the Debian jump VM of
         * {@code tools/build-jump-vm}. The disk's format is taken from its name (.qcow2, else raw).
         */
        public Options withDiskBoot(Path kernel, Path initrd, Path disk) {
            return new Options(kernelCmdline, startPaused, bzImage, guestReboot, extraQemuArgs,
                    new DiskBoot(kernel, initrd, disk), maxMemoryMb);
        }

        /** Raises the guest RAM cap (default {@link #MAX_MEMORY_MB}; a systemd guest with a JVM needs more). */
        public Options withMaxMemoryMb(int mb) {
            return new Options(kernelCmdline, startPaused, bzImage, guestReboot, extraQemuArgs, diskBoot, mb);
        }

        /**
         * Extra guest kernel command line words, e.g. {@code "qga_off"}, {@code "qga_nohwclock"},
         * {@code "ts_units=systemd-timesyncd,chrony"}, {@code "ts_epoch_bump=1700000000"}.
         */
        public Options withKernelCmdline(String words) {
            return new Options(words == null ? "" : words.trim(), startPaused, bzImage, guestReboot, extraQemuArgs, diskBoot,
                    maxMemoryMb);
        }

        /** {@code -S}: QEMU starts with the CPU stopped (QMP {@code cont} starts it), as for vzdump. */
        public Options withStartPaused(boolean paused) {
            return new Options(kernelCmdline, paused, bzImage, guestReboot, extraQemuArgs, diskBoot, maxMemoryMb);
        }

        /**
         * Drop {@code -no-reboot}, so a guest reboot resets the VM inside the same QEMU process, as on
         * Proxmox (which passes -no-reboot only for {@code reboot: 0}); the guest-written RTC then
         * survives the reboot. Default: -no-reboot, so a reboot or kernel panic ends QEMU.
         */
        public Options withGuestReboot(boolean allow) {
            return new Options(kernelCmdline, startPaused, bzImage, allow, extraQemuArgs, diskBoot, maxMemoryMb);
        }

        public String kernelCmdline() {
            return kernelCmdline;
        }

        public boolean startPaused() {
            return startPaused;
        }
    }

    /** Kernel, initrd and root disk of a guest that boots from a virtio disk. */
    private record DiskBoot(Path kernel, Path initrd, Path disk) {
    }

    /** Guest RAM cap: the guest needs ~100 MB; a production-sized value would only cost host RAM. */
    public static final int MAX_MEMORY_MB = 256;
    /** sun_path is 108 bytes including the NUL. */
    private static final int MAX_UNIX_PATH = 107;

    private static final Set<QemuVm> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (QemuVm vm : LIVE) {
                vm.process.destroyForcibly();
            }
        }, "qemu-vm-reaper"));
    }

    private final int vmid;
    private final Process process;
    private final List<String> commandLine;
    private final Path runDir;
    private final Instant launchedAt;
    private final long launchedNanos;

    private QemuVm(int vmid, Process process, List<String> commandLine, Path runDir, Instant launchedAt,
            long launchedNanos) {
        this.vmid = vmid;
        this.process = process;
        this.commandLine = commandLine;
        this.runDir = runDir;
        this.launchedAt = launchedAt;
        this.launchedNanos = launchedNanos;
    }

    /** Starts QEMU for the VM config in {@code confFile} and waits until its QMP socket exists. */
    public static QemuVm start(Path confFile, int vmid, Path runDir, GuestImage guest, Options opts) throws IOException {
        return start(readMainSection(confFile), vmid, runDir, guest, opts);
    }

    /** As {@link #start(Path, int, Path, GuestImage, Options)}, for a config already read. */
    public static QemuVm start(Map<String, String> conf, int vmid, Path runDir, GuestImage guest, Options opts)
            throws IOException {
        Files.createDirectories(runDir);
        runDir = runDir.toAbsolutePath().normalize();
        List<String> cmd = commandLine(conf, vmid, runDir, guest, opts);

        Path qmp = runDir.resolve(vmid + ".qmp");
        Path qga = runDir.resolve(vmid + ".qga");
        for (Path p : List.of(qmp, qga)) {
            if (p.toString().getBytes(StandardCharsets.UTF_8).length > MAX_UNIX_PATH) {
                throw new IllegalArgumentException("unix socket path too long for QEMU (max " + MAX_UNIX_PATH
                        + " bytes): " + p + " - use a shorter runDir");
            }
        }
        for (String suffix : List.of(".qmp", ".qga", ".pid", ".console.log", ".qemu.log")) {
            Files.deleteIfExists(runDir.resolve(vmid + suffix));
        }
        Path qemuLog = runDir.resolve(vmid + ".qemu.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(runDir.toFile()).redirectErrorStream(true)
                .redirectOutput(qemuLog.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Instant at = Instant.now();
        long nanos = System.nanoTime();
        Process p = pb.start();
        QemuVm vm = new QemuVm(vmid, p, List.copyOf(cmd), runDir, at, nanos);
        LIVE.add(vm);
        try {
            vm.awaitFile(qmp, Duration.ofSeconds(15));
        } catch (IOException | RuntimeException e) {
            vm.close();
            throw e;
        }
        return vm;
    }

    /** The QEMU command line for a config, built as qemu-server would (plus the test guest's boot). */
    public static List<String> commandLine(Map<String, String> conf, int vmid, Path runDir, GuestImage guest,
            Options opts) {
        Path qemu = GuestImage.qemuBinary();
        List<String> cmd = new ArrayList<>();
        cmd.add(qemu == null ? "qemu-system-x86_64" : qemu.toString());
        String name = conf.getOrDefault("name", "vm" + vmid);
        cmd.addAll(List.of("-name", name + ",debug-threads=on"));
        cmd.addAll(List.of("-pidfile", runDir.resolve(vmid + ".pid").toString()));
        cmd.addAll(List.of("-machine", "q35", "-accel", "tcg", "-smp", "1", "-nodefaults", "-display", "none"));
        if (!opts.guestReboot || "0".equals(conf.getOrDefault("reboot", "").trim())) {
            cmd.add("-no-reboot");
        }
        cmd.addAll(List.of("-m", Integer.toString(memoryMb(conf.get("memory"), opts.maxMemoryMb))));
        DiskBoot disk = opts.diskBoot;
        String append = "console=ttyS0 panic=-1 quiet";
        if (disk == null) {
            cmd.addAll(List.of("-kernel", (opts.bzImage ? guest.vmlinuz() : guest.vmlinux()).toString()));
            cmd.addAll(List.of("-initrd", guest.initramfs().toString()));
        } else {
            cmd.addAll(List.of("-kernel", disk.kernel().toString(), "-initrd", disk.initrd().toString()));
            String format = disk.disk().getFileName().toString().endsWith(".qcow2") ? "qcow2" : "raw";
            cmd.addAll(List.of("-drive", "file=" + disk.disk() + ",if=none,id=drive-virtio0,format=" + format
                    + ",cache=unsafe,discard=ignore", "-device", "virtio-blk-pci,drive=drive-virtio0"));
            append += " root=/dev/vda rw";
        }
        append += opts.kernelCmdline.isEmpty() ? "" : " " + opts.kernelCmdline;
        cmd.addAll(List.of("-append", append));
        cmd.addAll(List.of("-serial", "file:" + runDir.resolve(vmid + ".console.log")));

        // Timer.pm: driftfix first, then base; -rtc only if there is a flag; never clock=. A Windows ostype
        // implies localtime and (with ACPI, the default) tdf unless set explicitly (docs/pve-rtc.md)
        List<String> rtc = new ArrayList<>();
        String ostype = conf.get("ostype");
        if (GuestRtc.driftFix(conf.get("tdf"), conf.get("acpi"), ostype)) {
            rtc.add("driftfix=slew");
        }
        String startdate = conf.getOrDefault("startdate", "now").trim();
        if (!startdate.isEmpty() && !startdate.equals("now")) {
            rtc.add("base=" + startdate);
        } else if (GuestRtc.localTime(conf.get("localtime"), ostype)) {
            rtc.add("base=localtime");
        }
        if (!rtc.isEmpty()) {
            cmd.addAll(List.of("-rtc", String.join(",", rtc)));
        }

        if (agentEnabled(conf.get("agent"))) {
            String type = propertyString(conf.get("agent"), "enabled").getOrDefault("type", "virtio");
            if (!type.equals("virtio")) {
                throw new IllegalArgumentException("agent type=" + type + " is not supported by the test guest");
            }
            cmd.addAll(List.of("-chardev", "socket,path=" + runDir.resolve(vmid + ".qga") + ",server=on,wait=off,id=qga0",
                    "-device", "virtio-serial", "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0"));
        }
        cmd.addAll(List.of("-qmp", "unix:" + runDir.resolve(vmid + ".qmp") + ",server=on,wait=off"));
        if (opts.startPaused) {
            cmd.add("-S");
        }
        cmd.addAll(opts.extraQemuArgs);
        String args = conf.get("args");
        if (args != null && !args.isBlank()) {
            cmd.addAll(splitArgs(args));
        }
        return cmd;
    }

    // ---- accessors ------------------------------------------------------------------------------

    public int vmid() {
        return vmid;
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public List<String> commandLine() {
        return commandLine;
    }

    public Path runDir() {
        return runDir;
    }

    public Path qgaSocket() {
        return runDir.resolve(vmid + ".qga");
    }

    public Path qmpSocket() {
        return runDir.resolve(vmid + ".qmp");
    }

    public Path pidFile() {
        return runDir.resolve(vmid + ".pid");
    }

    /** The guest's serial console (ttyS0) as a file. */
    public Path consoleLog() {
        return runDir.resolve(vmid + ".console.log");
    }

    /** QEMU's own stdout/stderr. */
    public Path qemuLog() {
        return runDir.resolve(vmid + ".qemu.log");
    }

    /** Host wall-clock time just before QEMU was launched. */
    public Instant launchedAt() {
        return launchedAt;
    }

    /** System.nanoTime() just before QEMU was launched. */
    public long launchedNanos() {
        return launchedNanos;
    }

    public Duration sinceLaunch() {
        return Duration.ofNanos(System.nanoTime() - launchedNanos);
    }

    /** The console text so far ("" before the guest printed anything). */
    public String consoleText() {
        return readQuietly(consoleLog());
    }

    public String qemuLogText() {
        return readQuietly(qemuLog());
    }

    /**
     * Waits until the console contains {@code marker}; returns the time since QEMU's launch.
     * The guest prints {@code "TSGUEST: agent started"} when qemu-ga was launched.
     * @throws IllegalStateException on timeout or when QEMU exits first (with console and QEMU output)
     */
    public Duration waitForConsole(String marker, Duration timeout) {
        return waitForConsole(marker, 1, timeout);
    }

    /**
     * Waits until the console contains {@code marker} at least {@code occurrences} times (e.g. 2 for
     * the second boot after a guest reboot); returns the time since QEMU's launch.
     */
    public Duration waitForConsole(String marker, int occurrences, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (count(consoleText(), marker) >= occurrences) {
                return sinceLaunch();
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("QEMU exited (" + process.exitValue() + ") before the console showed '"
                        + marker + "' " + occurrences + "x" + diagnostics());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("console did not show '" + marker + "' " + occurrences + "x within "
                        + timeout + diagnostics());
            }
            sleep(50);
        }
    }

    private static int count(String text, String marker) {
        int n = 0;
        for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + marker.length())) {
            n++;
        }
        return n;
    }

    /** Waits for QEMU to exit by itself; returns the exit status, or -1 on timeout. */
    public int waitForExit(Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            LIVE.remove(this);
            return process.exitValue();
        }
        return -1;
    }

    /** QMP query-status over a fresh connection ("running", "paused", ...). */
    public String qmpStatus() throws IOException {
        return Qmp.queryStatus(qmpSocket());
    }

    /** Console tail and QEMU output, for assertion messages. */
    public String diagnostics() {
        String con = consoleText();
        if (con.length() > 3000) {
            con = "..." + con.substring(con.length() - 3000);
        }
        return "\n--- command: " + String.join(" ", commandLine) + "\n--- console (" + consoleLog() + "):\n" + con
                + "\n--- qemu output:\n" + qemuLogText();
    }

    /** Ends QEMU: QMP quit, then SIGTERM, then SIGKILL; waits for it and removes the sockets. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                try {
                    Qmp q = Qmp.connect(qmpSocket(), Duration.ofSeconds(2));
                    try (q) {
                        q.quit();
                    }
                } catch (IOException | RuntimeException e) {
                    // fall through to signals
                }
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroy();
                    if (!process.waitFor(2, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        process.waitFor(10, TimeUnit.SECONDS);
                    }
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(this);
            for (Path p : List.of(qmpSocket(), qgaSocket(), pidFile())) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    // ---- config reading -------------------------------------------------------------------------

    /**
     * The main section of a Proxmox VM config: {@code key: value} lines before the first
     * {@code [section]} (snapshots, [PENDING]); '#' lines (the description) are skipped.
     */
    public static Map<String, String> readMainSection(Path confFile) {
        String n = confFile.getFileName().toString();
        int vmid;
        try {
            vmid = Integer.parseInt(n.endsWith(".conf") ? n.substring(0, n.length() - ".conf".length()) : n);
        } catch (NumberFormatException e) {
            vmid = 0; // only names the VM in error messages
        }
        return VmConfigParser.parseWithoutDigest(vmid, confFile).main();
    }

    /** {@code agent: 1}, {@code agent: enabled=1,fstrim_cloned_disks=1}, {@code agent: 0}, ... ({@link VmConfig#agentEnabled}). */
    public static boolean agentEnabled(String value) {
        if (value == null) {
            return false;
        }
        return new VmConfig(0, "", Map.of("agent", value), Map.of(), Map.of()).agentEnabled();
    }

    /** {@code memory: 2048} or {@code memory: current=2048}; capped at {@code cap} (default {@link #MAX_MEMORY_MB}). */
    static int memoryMb(String value) {
        return memoryMb(value, MAX_MEMORY_MB);
    }

    static int memoryMb(String value, int cap) {
        int mb = cap;
        if (value != null && !value.isBlank()) {
            String v = propertyString(value, "current").getOrDefault("current", "");
            try {
                mb = Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                mb = cap;
            }
        }
        return Math.max(128, Math.min(mb, cap));
    }

    /** A PVE property string: "a=1,b=2", where a value without a key belongs to {@code defaultKey}. */
    static Map<String, String> propertyString(String value, String defaultKey) {
        Map<String, String> m = new LinkedHashMap<>();
        if (value == null) {
            return m;
        }
        for (String part : value.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) {
                m.put(defaultKey, p);
            } else {
                m.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
            }
        }
        return m;
    }

    static boolean isTrue(String v) {
        if (v == null) {
            return false;
        }
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "1":
            case "yes":
            case "on":
            case "true":
                return true;
            default:
                return false;
        }
    }

    /**
     * Splits {@code args} like qemu-server's PVE::Tools::split_args (Text::ParseWords::shellwords):
     * whitespace separates words, '...' is literal, "..." and bare text honour backslash escapes.
     * No shell is involved.
     */
    public static List<String> splitArgs(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c == '\'') {
                int end = s.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unbalanced ' in args: " + s);
                }
                cur.append(s, i + 1, end);
                i = end;
            } else if (c == '"') {
                int j = i + 1;
                for (; j < s.length() && s.charAt(j) != '"'; j++) {
                    if (s.charAt(j) == '\\' && j + 1 < s.length()) {
                        j++;
                    }
                    cur.append(s.charAt(j));
                }
                if (j >= s.length()) {
                    throw new IllegalArgumentException("unbalanced \" in args: " + s);
                }
                i = j;
            } else if (c == '\\' && i + 1 < s.length()) {
                cur.append(s.charAt(++i));
            } else {
                cur.append(c);
            }
        }
        if (inWord) {
            out.add(cur.toString());
        }
        return out;
    }

    // ---- internals ------------------------------------------------------------------------------

    private void awaitFile(Path file, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file)) {
            if (!process.isAlive()) {
                throw new IOException("QEMU exited (" + process.exitValue() + ") at start" + diagnostics());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("QEMU did not create " + file + " within " + timeout + diagnostics());
            }
            sleep(20);
        }
    }

    private static String readQuietly(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "QemuVm[" + vmid + ", pid " + process.pid() + (process.isAlive() ? ", running" : ", exited") + "]";
    }
}

package io.timeshift.host.e2e;

import io.timeshift.host.demo.GuestImage;
import io.timeshift.host.demo.QemuVm;
import io.timeshift.host.io.Json;
import io.timeshift.pve.qga.QgaClient;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real-VM tests' Proxmox node (shared by the busybox-guest tests here and the Debian jump-VM
 * tests of the {@code jumpvm} module, which get it through hookscript's test jar): a temp pmxcfs tree
 * ({@code nodes/pve1/qemu-server} with the {@code local} and {@code qemu-server} links pmxcfs has, and
 * {@code time-shift/} for policies) under {@code TIME_SHIFT_PVE_DIR}, a run dir for the agent and QMP
 * sockets, state and log dirs, a {@code time-shift.json}, and the admin tests' fake {@code pvesh}
 * (answers written with {@link #pveshServes}; {@code set .../qemu/<vmid>/config --startdate X} applied
 * to the conf as Proxmox would) first on PATH. Hook phases and CLI commands
 * run as separate JVMs ({@code io.timeshift.host.Main} on this test's class path), QEMU VMs as child
 * processes started from the conf like qemu-server would ({@link QemuVm}); {@link #close} ends them.
 */
public final class FakeProxmox implements AutoCloseable {
    public static final String NODE = "pve1";
    public static final Duration WORKER_DEADLINE = Duration.ofSeconds(120);

    public final Path tmp;
    public final Path pve;
    public final Path run;
    public final Path state;
    public final Path log;
    public final Path bin;
    public final Path config;
    public final Map<String, String> env;
    public final List<QemuVm> vms = new ArrayList<>();

    /** One CLI or hook run. */
    public record Proc(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    public FakeProxmox(Path tmp, String configJson) throws IOException {
        this.tmp = tmp;
        pve = Files.createDirectories(tmp.resolve("pve"));
        Files.createDirectories(pve.resolve("nodes").resolve(NODE).resolve("qemu-server"));
        Files.createSymbolicLink(pve.resolve("local"), Path.of("nodes", NODE));
        Files.createSymbolicLink(pve.resolve("qemu-server"), Path.of("nodes", NODE, "qemu-server"));
        Files.createDirectories(pve.resolve("time-shift"));
        run = Files.createDirectories(tmp.resolve("run"));
        state = tmp.resolve("state");
        log = tmp.resolve("log");
        bin = Files.createDirectories(tmp.resolve("bin"));
        Path pvesh = bin.resolve("pvesh");
        try (InputStream in = FakeProxmox.class.getResourceAsStream("/fake-pvesh/pvesh")) {
            if (in == null) {
                throw new IllegalStateException("test resource /fake-pvesh/pvesh missing");
            }
            Files.write(pvesh, in.readAllBytes());
        }
        Files.setPosixFilePermissions(pvesh, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(tmp.resolve("pvesh/responses"));
        // what PVE's update_vm does with `pvesh set /nodes/<node>/qemu/<vmid>/config --startdate X` (the
        // post-stop re-arm), applied to the conf; other writes are only recorded
        Path onWrite = tmp.resolve("pvesh/on-write");
        Files.writeString(onWrite, "#!/bin/sh\n"
                + "[ \"$1\" = set ] || exit 0\n"
                + "case \"$2\" in /nodes/*/qemu/*/config) ;; *) exit 0 ;; esac\n"
                + "conf=\"" + pve.resolve("qemu-server") + "/$(echo \"$2\" | cut -d/ -f5).conf\"\n"
                + "shift 2\n"
                + "while [ $# -gt 1 ]; do\n"
                + "  if [ \"$1\" = --startdate ]; then\n"
                + "    grep -v '^startdate:' \"$conf\" > \"$conf.new\"; echo \"startdate: $2\" >> \"$conf.new\"; mv \"$conf.new\" \"$conf\"\n"
                + "  fi\n"
                + "  shift\n"
                + "done\n");
        Files.setPosixFilePermissions(onWrite, PosixFilePermissions.fromString("rwxr-xr-x"));
        config = tmp.resolve("time-shift.json");
        Files.writeString(config, configJson);
        env = new HashMap<>(System.getenv());
        env.put("TIME_SHIFT_PVE_DIR", pve.toString());
        env.put("TIME_SHIFT_RUN_DIR", run.toString());
        env.put("TIME_SHIFT_STATE_DIR", state.toString());
        env.put("TIME_SHIFT_LOG_DIR", log.toString());
        env.put("TIME_SHIFT_CONFIG", config.toString());
        env.put("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        env.put("PVE_MIGRATED_FROM", ""); // what Proxmox passes for a normal start (Perl undef)
        env.remove("TIME_SHIFT_LAUNCHER");
    }

    /** Rewrites time-shift.json (agentWait, applyHold, holdInterval, agentTimeout, ...). */
    public void config(String json) throws IOException {
        Files.writeString(config, json);
    }

    // ------------------------------------------------------------------ pmxcfs files

    public Path confFile(int vmid) {
        return pve.resolve("qemu-server").resolve(vmid + ".conf");
    }

    public void conf(int vmid, String text) throws IOException {
        Files.writeString(confFile(vmid), text);
    }

    public String confText(int vmid) {
        try {
            return Files.readString(confFile(vmid));
        } catch (IOException e) {
            return "";
        }
    }

    public void policy(int vmid, String json) throws IOException {
        Files.writeString(pve.resolve("time-shift").resolve(vmid + ".json"), json);
    }

    public Map<String, Object> readState(int vmid) {
        Path f = state.resolve(vmid + ".json");
        try {
            return Json.parseObject(Files.readString(f), f.toString());
        } catch (IOException e) {
            return Map.of();
        }
    }

    public Map<String, Object> lastApply(int vmid) {
        Map<String, Object> m = map(readState(vmid).get("lastApply"));
        return m == null ? Map.of() : m;
    }

    /** When this run's clock started (the state's run.startedAt). */
    public Instant runStartedAt(int vmid) {
        return Instant.parse((String) map(readState(vmid).get("run")).get("startedAt"));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    // ------------------------------------------------------------------ fake pvesh

    /**
     * The fake pvesh answers {@code pvesh get /nodes/pve1/qemu/<vmid>/config} with the conf's main
     * section (and a digest) and {@code .../status/current} with running or stopped; writes
     * ({@code set}) succeed and are recorded under {@code pvesh/calls}.
     */
    public void pveshServes(int vmid, boolean running) throws IOException {
        Map<String, String> main = QemuVm.readMainSection(confFile(vmid));
        StringBuilder json = new StringBuilder("{");
        for (Map.Entry<String, String> e : main.entrySet()) {
            json.append(quote(e.getKey())).append(':').append(quote(e.getValue())).append(',');
        }
        json.append("\"digest\":\"0123456789abcdef0123456789abcdef01234567\"}");
        Path dir = Files.createDirectories(tmp.resolve("pvesh/responses/get/nodes").resolve(NODE).resolve("qemu")
                .resolve(String.valueOf(vmid)));
        Files.writeString(dir.resolve("config.json"), json.toString());
        Files.createDirectories(dir.resolve("status"));
        Files.writeString(dir.resolve("status").resolve("current.json"), "{\"vmid\":" + vmid + ",\"status\":\""
                + (running ? "running" : "stopped") + "\",\"qmpstatus\":\"" + (running ? "running" : "stopped")
                + "\",\"agent\":1,\"name\":\"" + main.getOrDefault("name", "vm" + vmid) + "\"}");
    }

    /** argv of every pvesh write (set/create/delete), each joined by spaces. */
    public List<String> pveshWrites() {
        Path dir = tmp.resolve("pvesh/calls");
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (var s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String call = Files.readString(p, StandardCharsets.UTF_8).replace('\0', ' ').trim();
                if (!call.startsWith("get ")) {
                    out.add(call);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    // ------------------------------------------------------------------ hook phases, CLI, QEMU

    public Proc hook(int vmid, String phase) throws Exception {
        return cli("hook", String.valueOf(vmid), phase);
    }

    public void hookOk(int vmid, String phase) throws Exception {
        Proc p = hook(vmid, phase);
        assertEquals(0, p.code(), () -> phase + ": " + p.err() + p.out());
    }

    /** {@code time-shift <args>} as its own JVM, with this node's environment. */
    public Proc cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.timeshift.host.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("time-shift " + String.join(" ", args) + " did not finish");
        }
        return new Proc(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** QEMU from the VM's conf, as qemu-server would start it (no hook). */
    public QemuVm startVm(int vmid, GuestImage guest, QemuVm.Options opts) throws IOException {
        QemuVm vm = QemuVm.start(confFile(vmid), vmid, run, guest, opts);
        vms.add(vm);
        return vm;
    }

    /** Ends the VM's QEMU (the last one started for it). */
    public void stopVm(int vmid) {
        for (int i = vms.size() - 1; i >= 0; i--) {
            if (vms.get(i).vmid() == vmid) {
                vms.remove(i).close();
                return;
            }
        }
    }

    /**
     * A Proxmox start: pre-start hook, QEMU from the conf, post-start hook (must return at once: the
     * apply worker is detached), then waits for the worker to finish its apply and hold. Returns the
     * state's lastApply.
     */
    public Map<String, Object> startLikeProxmox(int vmid, GuestImage guest, QemuVm.Options opts) throws Exception {
        hookOk(vmid, "pre-start");
        QemuVm vm = startVm(vmid, guest, opts);
        long t0 = System.nanoTime();
        Proc post = hook(vmid, "post-start");
        long hookMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, post.code(), post.err());
        assertTrue(post.out().contains("applying the clock policy in the background"), post.out());
        assertTrue(hookMs < 5_000, "post-start must return at once (detached worker), took " + hookMs + " ms");
        waitFor(() -> {
            Object res = lastApply(vmid).get("result");
            return res != null && !"running".equals(res) && lastApply(vmid).get("holdEndedAt") != null
                    || "failed".equals(res);
        }, WORKER_DEADLINE, () -> "apply worker finished: " + vm.diagnostics());
        return lastApply(vmid);
    }

    public QgaClient agent(int vmid) {
        return QgaClient.forSocket(vmid, run.resolve(vmid + ".qga"));
    }

    public void assertAuditVerifies() throws Exception {
        Proc p = cli("audit", "--verify");
        assertEquals(0, p.code(), p.err() + p.out());
        assertTrue(Files.readString(log.resolve("audit.jsonl")).contains("\"action\":\"apply\""));
    }

    @Override
    public void close() {
        for (QemuVm vm : vms) {
            vm.close();
        }
        vms.clear();
        awaitDetachedWorkers(Duration.ofSeconds(30));
    }

    /**
     * Waits (bounded) until no process still works on this tree: the detached apply and re-arm workers
     * outlive the hook that started them and may still write (state, audit, the fake pvesh's records)
     * while JUnit deletes the temp directory. They inherit {@code TIME_SHIFT_STATE_DIR=<tmp>/state}, so
     * /proc/<pid>/environ tells them apart from everything else on the machine. One still running at
     * the limit (waiting for an agent whose VM the test closed) is killed: the test is over.
     */
    private void awaitDetachedWorkers(Duration limit) {
        byte[] marker = ("TIME_SHIFT_STATE_DIR=" + state).getBytes(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            boolean last = System.nanoTime() >= deadline;
            boolean busy = false;
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path p : (Iterable<Path>) procs::iterator) {
                    String name = p.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit) || name.equals(Long.toString(ProcessHandle.current().pid()))) {
                        continue;
                    }
                    byte[] env;
                    try {
                        env = Files.readAllBytes(p.resolve("environ"));
                    } catch (IOException | RuntimeException gone) {
                        continue;
                    }
                    if (indexOf(env, marker) >= 0) {
                        busy = true;
                        if (last) {
                            ProcessHandle.of(Long.parseLong(name)).ifPresent(ProcessHandle::destroyForcibly);
                        }
                    }
                }
            } catch (IOException e) {
                return;
            }
            if (!busy || last) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            if (i + needle.length == hay.length || hay[i + needle.length] == 0) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ assertions

    public static void assertNear(Instant expected, Instant actual, Duration tolerance, String what) {
        Duration d = Duration.between(expected, actual).abs();
        assertTrue(d.compareTo(tolerance) <= 0, what + ": expected " + expected + " ± " + tolerance + ", was " + actual
                + " (off by " + Duration.between(expected, actual) + ")");
    }

    public static void waitFor(BooleanSupplier cond, String what) throws InterruptedException {
        waitFor(cond, WORKER_DEADLINE, () -> what);
    }

    public static void waitFor(BooleanSupplier cond, Duration timeout, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        fail("timed out after " + timeout + " waiting for: " + what.get());
    }

    /** Figures for the README: one line appended to target/e2e-figures.txt and printed. */
    public static void figure(String line) {
        System.out.println("E2E-FIGURES " + line);
        try {
            Path f = Path.of("target", "e2e-figures.txt");
            Files.createDirectories(f.getParent());
            Files.writeString(f, line + System.lineSeparator(), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // figures are informative only
        }
    }
}

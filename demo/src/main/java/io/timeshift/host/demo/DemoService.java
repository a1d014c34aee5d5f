package io.timeshift.host.demo;

import io.timeshift.host.apply.Detacher;
import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.io.Json;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.status.StatusRow;
import io.timeshift.host.status.StatusService;
import io.timeshift.common.time.Instants;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.pve.qga.QgaClient;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code time-shift demo}: the core loop where no Proxmox is present. It plays Proxmox exactly as the
 * real-VM tests do: a {@code qemu-server/<vmid>.conf} and a policy in a temp PVE tree, {@code hook
 * pre-start} as a separate process, QEMU started from the conf the way qemu-server would
 * ({@code startdate} → {@code -rtc base=}, the agent socket), {@code hook post-start}, and then the
 * guest's own clock read through the real agent while the detached worker shifts it. The guest boots
 * with a systemd-like epoch bump (its clock is pushed to today at boot, as Debian's systemd does with
 * an old RTC) and an "active" timesyncd, so the demo shows what the worker fixes.
 */
public final class DemoService {
    private final Map<String, String> env;
    private final PrintWriter out;
    private final Clock clock;

    /** The zone of the demo's Windows-like guest (POSIX TZ for the test guest): UTC+05:00. */
    public static final String WINDOWS_TZ = "PKT-5";
    public static final String WINDOWS_ZONE = "Asia/Karachi";

    public DemoService(Map<String, String> env, PrintWriter out, Clock clock) {
        this.env = env;
        this.out = out;
        this.clock = clock;
    }

    public int run(int vmid, String policyJson, String startdate, boolean keep) throws IOException, InterruptedException {
        return run(vmid, policyJson, startdate, keep, false);
    }

    /**
     * With {@code windows}, the VM plays a Windows guest: {@code ostype: win11} (QemuVm then adds Proxmox's
     * Windows defaults, docs/pve-rtc.md) and a guest that reads its RTC as local time in {@link #WINDOWS_TZ};
     * {@code startdate} must then be the guest's wall time.
     */
    public int run(int vmid, String policyJson, String startdate, boolean keep, boolean windows)
            throws IOException, InterruptedException {
        return run(vmid, policyJson, startdate, keep, windows, null);
    }

    /**
     * With {@code debian} (the window of an expired certificate around the policy's date), the VM is the
     * cached Debian jump VM of {@code tools/build-jump-vm} instead of the busybox test guest: real systemd,
     * systemd-timesyncd enabled, the time-shift-guest package; after the shift the demo shows time sync
     * stopped and disabled inside the guest and an expired certificate accepted there ({@link ExpiredCertDemo}).
     */
    public int run(int vmid, String policyJson, String startdate, boolean keep, boolean windows, ExpiredCertDemo.Window debian)
            throws IOException, InterruptedException {
        // the image first: a missing one is one line (exit 3) before anything is made
        JumpVmImage jump = debian == null ? null : JumpVmImage.locate(env);
        GuestImage guest = debian == null ? GuestImage.locate() : null;
        Path work = Files.createTempDirectory("time-shift-demo");
        Path run = Files.createDirectories(work.resolve("run"));
        HostPaths paths = new HostPaths(work.resolve("pve"), run, work.resolve("state"), work.resolve("log"),
                work.resolve("time-shift.json"));
        Files.createDirectories(paths.qemuServerDir());
        Files.createDirectories(paths.policyDir());
        // a systemd guest under TCG needs a minute or two to its agent
        Files.writeString(paths.configFile(), "{\"agentWait\":\"" + (jump == null ? "PT90S" : "PT300S")
                + "\",\"applyHold\":\"PT6S\",\"holdInterval\":\"PT0.5S\"" + (jump == null ? "" : ",\"agentTimeout\":\"PT20S\"") + "}\n");
        Files.writeString(paths.vmConf(vmid),
                "name: demo-bmc-jump\nagent: 1\nhookscript: local:snippets/time-shift-hook\nmemory: " + (jump == null ? 256 : 1024)
                        + "\nostype: "
                        + (windows ? "win11" : "l26") + "\n" + (startdate == null ? "" : "startdate: " + startdate + "\n"));
        Files.writeString(paths.policyFile(vmid), policyJson);
        Map<String, String> childEnv = new HashMap<>(env);
        childEnv.put("TIME_SHIFT_PVE_DIR", paths.pveDir().toString());
        childEnv.put("TIME_SHIFT_RUN_DIR", paths.runDir().toString());
        childEnv.put("TIME_SHIFT_STATE_DIR", paths.stateDir().toString());
        childEnv.put("TIME_SHIFT_LOG_DIR", paths.logDir().toString());
        childEnv.put("TIME_SHIFT_CONFIG", paths.configFile().toString());
        childEnv.put("PVE_MIGRATED_FROM", "");
        out.println("time-shift demo: no Proxmox here, so this plays Proxmox with a real QEMU VM");
        out.println("  guest: " + (jump == null ? guest.kernelPackage() + " + Debian's qemu-guest-agent (" + guest.dir() + ")"
                : jump.describe() + " (" + jump.dir() + ")"));
        out.println("  work:  " + work);
        out.println("  policy " + paths.policyFile(vmid) + ": " + Json.compact(Json.parseObject(policyJson, "policy")));
        out.flush();
        QemuVm vm = null;
        long t0 = System.nanoTime();
        try {
            step("hook " + vmid + " pre-start", hook(childEnv, vmid, "pre-start"));
            if (jump == null) {
                long bump = clock.instant().getEpochSecond();
                vm = QemuVm.start(paths.vmConf(vmid), vmid, run, guest, QemuVm.Options.defaults()
                        .withKernelCmdline("ts_epoch_bump=" + bump + " ts_units=systemd-timesyncd"
                                + (windows ? " ts_rtc_local=" + WINDOWS_TZ : "")));
                out.println("  qemu: " + String.join(" ", vm.commandLine()).replace(guest.dir().toString(), "<guest>"));
                out.println("        (the guest boots with its RTC at the startdate; like systemd it pushes an old clock"
                        + " to today at boot; timesyncd is active)");
            } else {
                vm = QemuVm.start(paths.vmConf(vmid), vmid, run, null, jump.options(work));
                out.println("  qemu: " + String.join(" ", vm.commandLine()).replace(jump.dir().toString(), "<jump-vm>")
                        .replace(work.toString(), "<work>"));
                out.println("        (systemd boots with its RTC at the startdate and advances an older clock to its build date;"
                        + " systemd-timesyncd is enabled; under TCG the agent answers after a minute or two)");
            }
            step("hook " + vmid + " post-start", hook(childEnv, vmid, "post-start"));
            out.println();
            out.printf("%8s  %-24s  %-24s  %s%n", "t", "host time", "guest time (agent)", "apply");
            QgaClient agent = QgaClient.forSocket(vmid, paths.qgaSocket(vmid)).withTimeout(Duration.ofMillis(800));
            StatusService status = new StatusService(paths, clock, id -> agent, "demo");
            String lastLine = "";
            String lastWhat = "";
            long lastShown = 0;
            Map<String, Object> last = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(jump == null ? 120 : 420).toNanos();
            long doneAt = 0;
            while (System.nanoTime() < deadline) {
                String guestTime;
                try {
                    guestTime = Instants.iso(Instants.fromEpochNanos(agent.getTimeNanos()));
                    guestTime = guestTime.length() > 23 ? guestTime.substring(0, 22) + "Z" : guestTime;
                } catch (TimeShiftException e) {
                    guestTime = "(agent not up yet)";
                }
                last = readApply(paths, vmid);
                String result = last == null ? "-" : String.valueOf(last.get("result"));
                String line = String.format(java.util.Locale.ROOT, "%7.1fs  %-24s  %-24s  %s",
                        (System.nanoTime() - t0) / 1e9, Instants.iso(clock.instant()).substring(0, 19) + "Z", guestTime, result);
                // the Debian guest takes a minute to its agent: a row when something changes or every 5 s, not every 0.5 s
                String what = (guestTime.startsWith("(") ? guestTime : "up") + " " + result;
                boolean show = jump == null ? !line.substring(9).equals(lastLine)
                        : !what.equals(lastWhat) || System.nanoTime() - lastShown >= 5_000_000_000L;
                if (show) {
                    out.println(line);
                    out.flush();
                    lastLine = line.substring(9);
                    lastWhat = what;
                    lastShown = System.nanoTime();
                }
                if (last != null && !"running".equals(result) && (last.get("holdEndedAt") != null || "failed".equals(result))) {
                    if (doneAt == 0) {
                        doneAt = System.nanoTime();
                    } else if (System.nanoTime() - doneAt > 1_000_000_000L) {
                        break;
                    }
                }
                Thread.sleep(500);
            }
            out.println();
            if (last != null) {
                out.println("apply: " + last.get("result") + ": " + last.get("message"));
                out.println("       agent answered after " + last.get("agentWaitMs") + " ms; clock set and verified "
                        + last.get("applyMs") + " ms after that; error " + last.get("errorMs") + " ms; time sync: "
                        + last.get("timeSync"));
            }
            StatusRow st = status.status(vmid);
            out.println("status: mode " + (st.mode() == null ? null : st.mode().id()) + ", expected " + st.expectedTime()
                    + ", guest " + st.guestTime() + ", drift " + st.driftMs() + " ms, problems " + st.problems());
            boolean shown = true;
            if (jump != null && last != null && "ok".equals(last.get("result"))) {
                shown = showDebianGuest(agent.withTimeout(Duration.ofSeconds(30)), work, debian);
            }
            step("hook " + vmid + " pre-stop", hook(childEnv, vmid, "pre-stop"));
            try (Qmp qmp = Qmp.connect(paths.runDir().resolve(vmid + ".qmp"))) {
                qmp.quit();
            } catch (IOException e) {
                // the close below kills it anyway
            }
            vm.waitForExit(Duration.ofSeconds(10));
            step("hook " + vmid + " post-stop", hook(childEnv, vmid, "post-stop"));
            AuditLog.Verification v = new AuditLog(paths.auditLog(), clock).verify();
            out.println("audit: " + v.lines() + " hash-chained entries in " + paths.auditLog() + (v.ok() ? ", chain intact" : ", " + v.problem()));
            out.flush();
            return last != null && "ok".equals(last.get("result")) && shown ? 0 : 1;
        } finally {
            if (vm != null) {
                vm.close();
            }
            if (!keep) {
                deleteTree(work);
            } else {
                out.println("kept: " + work);
            }
            out.flush();
        }
    }

    /** Inside the Debian guest: time sync stopped and disabled, then the expired certificate accepted. */
    private boolean showDebianGuest(QgaClient agent, Path work, ExpiredCertDemo.Window window)
            throws IOException, InterruptedException {
        out.println();
        out.println("Inside the guest (through the agent, no shell):");
        String unit = "systemd-timesyncd.service";
        String active = guestLine(agent, "/usr/bin/systemctl", "is-active", unit);
        String enabled = guestLine(agent, "/usr/bin/systemctl", "is-enabled", unit);
        out.println("  $ systemctl is-active " + unit + "    -> " + active);
        out.println("  $ systemctl is-enabled " + unit + "   -> " + enabled);
        String date = guestLine(agent, "/usr/bin/date", "-u", "+%Y-%m-%dT%H:%M:%SZ");
        out.println("  $ date -u                                       -> " + date);
        String verify = guestLine(agent, "/usr/bin/time-shift-guest", "verify");
        out.println("  $ time-shift-guest verify                       -> " + verify);
        out.flush();
        boolean off = "inactive".equals(active) && "disabled".equals(enabled);
        Path pki = Files.createDirectories(work.resolve("pki"));
        return new ExpiredCertDemo(out, pki).run(agent, window) && off;
    }

    private static String guestLine(QgaClient agent, String path, String... args) {
        try {
            io.timeshift.pve.qga.ExecResult r = agent.run(Duration.ofSeconds(120), path, args);
            return ExpiredCertDemo.firstLineWith(r.out() + r.err());
        } catch (TimeShiftException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    private void step(String what, Proc p) {
        out.println("$ time-shift " + what + "   -> exit " + p.code);
        for (String l : (p.out + p.err).split("\n")) {
            if (!l.isBlank()) {
                out.println("    " + l);
            }
        }
        out.flush();
        if (p.code != 0) {
            throw new EnvironmentException("demo: time-shift " + what + " failed (exit " + p.code + ")");
        }
    }

    private record Proc(int code, String out, String err) {
    }

    private Proc hook(Map<String, String> childEnv, int vmid, String phase) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(new Detacher(env).selfCommand());
        cmd.addAll(List.of("hook", Integer.toString(vmid), phase));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(childEnv);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        byte[] o = p.getInputStream().readAllBytes();
        byte[] e = p.getErrorStream().readAllBytes();
        int code = p.waitFor();
        return new Proc(code, new String(o, StandardCharsets.UTF_8), new String(e, StandardCharsets.UTF_8));
    }

    /** The state's last apply, or null while there is none or the state cannot be read yet. */
    private static Map<String, Object> readApply(HostPaths paths, int vmid) {
        try {
            return new StateStore(paths).read(vmid).lastApply();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // temp dir; best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}

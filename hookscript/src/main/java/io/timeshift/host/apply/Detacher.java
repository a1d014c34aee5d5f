package io.timeshift.host.apply;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts {@code time-shift <args>} as a detached process: a new session ({@code setsid}), stdin from
 * /dev/null and stdout/stderr to a log file, so nothing inherits the pipes Proxmox reads the hook's
 * output from. Proxmox waits for EOF on both pipes before it reaps the hook (docs/pve-facts.md §1.1), so a
 * child holding them would keep the VM's start task open.
 */
public class Detacher {
    private final Map<String, String> env;

    public Detacher(Map<String, String> env) {
        this.env = env;
    }

    /**
     * True when our shell launcher runs this JVM and starts workers itself after it exits
     * ({@code TIME_SHIFT_DETACH=launcher}, exported by the launchers for the hook path only).
     */
    public boolean viaLauncher() {
        return "launcher".equals(env.get("TIME_SHIFT_DETACH"));
    }

    /** Starts the command and returns its pid (the worker's own pid: setsid execs in place). */
    public long spawn(List<String> args, Path logFile) throws IOException {
        List<String> cmd = new ArrayList<>();
        String setsid = findOnPath("setsid");
        if (setsid != null) {
            cmd.add(setsid);
        }
        // niced: the worker's JVM start-up must not compete with the hook's own last milliseconds (or
        // with the VM's boot) on a busy host; it then waits seconds for the guest agent anyway
        String nice = findOnPath("nice");
        if (nice != null) {
            cmd.addAll(List.of(nice, "-n", "10"));
        }
        cmd.addAll(selfCommand());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        ProcessBuilder.Redirect out = ProcessBuilder.Redirect.DISCARD;
        if (logFile != null) {
            try {
                Files.createDirectories(logFile.getParent());
                out = ProcessBuilder.Redirect.appendTo(logFile.toFile());
            } catch (IOException e) {
                // no log dir: discard rather than fail the hook
            }
        }
        pb.redirectOutput(out);
        pb.redirectError(out);
        return pb.start().pid();
    }

    /** How to run this program again: the launcher that started us, or this JVM with its class path. */
    public List<String> selfCommand() {
        String launcher = env.get("TIME_SHIFT_LAUNCHER");
        if (launcher != null && !launcher.isBlank() && Files.isExecutable(Path.of(launcher))) {
            return List.of(launcher);
        }
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return List.of(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), "io.timeshift.host.Main");
    }

    public String findOnPath(String name) {
        String path = env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}

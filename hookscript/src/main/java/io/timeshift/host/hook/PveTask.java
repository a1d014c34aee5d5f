package io.timeshift.host.hook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Proxmox task that runs this hook, found among the hook's ancestor processes.
 *
 * <p>Proxmox runs every VM start in a task worker that names itself {@code task <UPID>} (pve-common
 * {@code RESTEnvironment.pm} {@code fork_worker}: {@code $0 = "task $upid"}, docs/pve-facts.md §1.7),
 * and the hookscript is a child of that worker ({@code run_command} in
 * {@code GuestHelpers::exec_hookscript}), possibly through our snippet and launcher. The UPID is
 * {@code UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:} (pve-common {@code UPID.pm}
 * {@code decode}); its type tells a rollback ({@code qmrollback}) from a plain start ({@code qmstart}),
 * which the VM config alone cannot.
 *
 * <p>Read from {@code /proc} by hand (no regex, no ProcessHandle: the hook is a fresh JVM per phase);
 * anything unreadable or unexpected means "no task known", never an error.
 */
public final class PveTask {
    /** How many ancestors are looked at: snippet, launcher, and a shell or two in between. */
    static final int MAX_DEPTH = 8;
    private static final int MAX_CMDLINE = 4096;

    private final String type;
    private final String id;

    private PveTask(String type, String id) {
        this.type = type;
        this.id = id;
    }

    /** The worker type, e.g. {@code qmstart}, {@code qmrollback}, {@code qmigrate}, {@code vzdump}. */
    public String type() {
        return type;
    }

    /** The task's id field (the VMID for VM tasks; may be empty). */
    public String id() {
        return id;
    }

    /** Whether this task is a rollback of VM {@code vmid}. */
    public boolean isRollbackOf(int vmid) {
        return "qmrollback".equals(type) && Integer.toString(vmid).equals(id);
    }

    /**
     * The nearest ancestor of this process that is a Proxmox task worker, or null.
     *
     * @param proc the proc file system ({@code /proc}; a directory tree of the same shape in tests)
     */
    public static PveTask ofAncestors(Path proc) {
        String pid = parentOf(proc.resolve("self"));
        for (int depth = 0; pid != null && depth < MAX_DEPTH; depth++) {
            Path dir = proc.resolve(pid);
            PveTask task = parseCmdline(read(dir.resolve("cmdline")));
            if (task != null) {
                return task;
            }
            pid = parentOf(dir);
        }
        return null;
    }

    /** ppid from {@code <dir>/stat} (field 4, after the parenthesised name, which may hold anything). */
    static String parentOf(Path processDir) {
        String stat = read(processDir.resolve("stat"));
        if (stat == null) {
            return null;
        }
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            return null;
        }
        // ") S 1234 ..."
        int start = stat.indexOf(' ', close + 2);
        if (start < 0) {
            return null;
        }
        start++;
        int end = start;
        while (end < stat.length() && stat.charAt(end) >= '0' && stat.charAt(end) <= '9') {
            end++;
        }
        String ppid = stat.substring(start, end);
        return end == start || end - start > 10 || ppid.equals("0") ? null : ppid;
    }

    /**
     * {@code task UPID:node:pid:pstart:starttime:type:id:user:} (argv[0] overwritten by Perl; the
     * cmdline may carry NULs or padding after it) → the task, or null for anything else.
     */
    static PveTask parseCmdline(String cmdline) {
        if (cmdline == null || !cmdline.startsWith("task UPID:")) {
            return null;
        }
        String upid = cmdline.substring(5);
        int end = 0;
        while (end < upid.length() && upid.charAt(end) > ' ' && upid.charAt(end) != 0x7f) {
            end++;
        }
        upid = upid.substring(0, end);
        String[] f = upid.split(":", -1);
        // UPID, node, pid, pstart, starttime, type, id, user, "" (trailing colon)
        if (f.length != 9 || !f[8].isEmpty() || !hex(f[2], 8, 8) || !hex(f[3], 8, 9) || !hex(f[4], 8, 8)
                || f[5].isEmpty() || f[7].isEmpty() || f[5].indexOf('/') >= 0 || f[6].indexOf('/') >= 0) {
            return null;
        }
        return new PveTask(f[5], f[6]);
    }

    private static boolean hex(String s, int min, int max) {
        if (s.length() < min || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    private static String read(Path file) {
        try {
            byte[] b = Files.readAllBytes(file);
            int n = Math.min(b.length, MAX_CMDLINE);
            return new String(b, 0, n, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

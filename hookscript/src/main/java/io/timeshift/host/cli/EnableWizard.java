package io.timeshift.host.cli;

import io.timeshift.host.admin.BmcProposal;
import io.timeshift.host.admin.EnableService;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.common.time.Durations;
import io.timeshift.common.time.Instants;
import io.timeshift.common.time.Whens;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.common.time.Monotonic;

import java.io.Console;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code time-shift enable <vmid>} without {@code --date}/{@code --offset}, on a terminal: asks step by
 * step (each question names its default in brackets; Enter takes it; each answer has its flag), probes
 * the BMCs from this host and proposes the planner's date, shows the same changes {@code --dry-run}
 * shows, asks {@code Apply these changes to VM <vmid>? [y/N]}, and prints the equivalent one-line
 * command. Nothing changes before that last "y"; end of input or Ctrl-C before it changes nothing.
 * The dialogue is UI; what it checks and proposes comes from {@link BmcProposal} and {@link EnableService#parse}.
 */
final class EnableWizard {
    /** Reads one answer after printing {@code prompt}; null at end of input. */
    public interface Terminal {
        String readLine(String prompt);
    }

    /** The process's terminal. */
    public static Terminal console() {
        return new Terminal() {
            @Override
            public String readLine(String prompt) {
                Console c = System.console();
                return c == null ? null : c.readLine("%s", prompt);
            }
        };
    }

    /** Every answer, with the flag it stands for; filled from the flags first, then by {@link #ask}. */
    public static final class Answers {
        public List<String> targets = new ArrayList<>();
        public String date;
        public String offset;
        public String mode;
        public String zone;
        public String storage = "local";
        public String tolerance;
        public boolean keepTimeSync;
        public String onError;
        public boolean isolate;
        public List<String> dns = new ArrayList<>();
        public boolean chain;
        /** {@code --guest-zone}: not asked (the guest's zone is learned), carried into the command. */
        public String guestZone;
    }

    /** The admin ended the dialogue before the last question (end of input): nothing was changed. */
    public static final class Aborted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Aborted() {
            super("no answer; nothing was changed", null, false, false);
        }
    }

    private final Terminal term;
    private final PrintWriter out;
    private final Clock clock;
    private final Monotonic monotonic;
    private final Duration probeTimeout;

    public EnableWizard(Terminal term, PrintWriter out, Clock clock, Monotonic monotonic, Duration probeTimeout) {
        this.term = term;
        this.out = out;
        this.clock = clock;
        this.monotonic = monotonic;
        this.probeTimeout = probeTimeout;
    }

    /** Asks every question, starting from the flags' values; throws {@link Aborted} at end of input. */
    public Answers ask(int vmid, Answers a) {
        out.println("Setting up time-shift for VM " + vmid + ". Enter takes the default in [brackets]; every answer has its"
                + " flag (shown at the end as one command).");
        // 1. BMCs
        List<String> targets = new ArrayList<>(BmcProposal.targets(a.targets));
        if (!targets.isEmpty()) {
            out.println("BMCs from --target: " + String.join(", ", targets));
        }
        while (true) {
            String t = line("BMC this VM is for, as host[:port] (--target; Enter when done) [done]: ");
            if (t.isEmpty()) {
                break;
            }
            String problem = BmcProposal.problem(t);
            if (problem != null) {
                out.println("  " + problem);
                continue;
            }
            if (!targets.contains(t)) {
                targets.add(t);
            }
        }
        a.targets = targets;

        // 2. probe and plan
        String proposed = null;
        if (!targets.isEmpty()) {
            BmcProposal.Probed r = BmcProposal.probe(targets, clock, monotonic, probeTimeout, progress -> {
                out.println(progress);
                out.flush();
            });
            if (r.error() != null) {
                out.println("the BMCs could not be probed (" + r.error() + "); name the date yourself");
            } else {
                r.lines().forEach(out::println);
                proposed = r.proposed();
            }
        }

        // 3. date or offset
        String dflt = a.date != null ? a.date : a.offset != null ? a.offset : proposed;
        while (true) {
            String d = line("Date the guest clock starts at (--date: 2021-03-01 or 2021-03-01T12:00:00Z; or --offset: -3y, -90d)"
                    + (dflt == null ? " []: " : " [" + dflt + "]: "));
            if (d.isEmpty()) {
                if (dflt == null) {
                    out.println("  a date (or an offset) is needed");
                    continue;
                }
                d = dflt;
            }
            boolean isOffset = d.startsWith("-") || d.startsWith("+") || d.startsWith("P") || d.startsWith("p");
            try {
                if (isOffset) {
                    Durations.parse(d, "--offset");
                    a.offset = d;
                    a.date = null;
                } else {
                    Whens.parse(d, a.zone == null ? ZoneOffset.UTC : ZoneId.of(a.zone), "--date");
                    a.date = d;
                    a.offset = null;
                }
                break;
            } catch (TimeShiftException | java.time.DateTimeException e) {
                out.println("  " + e.getMessage());
            }
        }

        // 4. mode
        String modeDefault = a.mode != null ? a.mode : a.date != null ? "fixed" : "offset";
        while (true) {
            String m = line("Mode (--mode): fixed = every start begins at the date, offset = always real time + offset,"
                    + " continue = resume from the guest time at the last stop (fixed/offset/continue) [" + modeDefault + "]: ");
            m = m.isEmpty() ? modeDefault : m.toLowerCase(Locale.ROOT);
            if (Mode.parse(m) != null) {
                a.mode = m;
                break;
            }
            out.println("  '" + m + "' is not a mode (use fixed, offset or continue)");
        }

        // 5. time sync
        a.keepTimeSync = !yesNo("Turn off the guest's time sync (NTP, systemd-timesyncd, chrony) so it cannot undo the shift"
                + " (no: --keep-time-sync)?", !a.keepTimeSync);

        // 6. on-error
        String errDefault = a.onError != null ? a.onError : "warn";
        while (true) {
            String e = line("If pre-start fails (--on-error): warn = start the VM anyway and log it, abort = refuse to start"
                    + " (warn/abort) [" + errDefault + "]: ");
            e = e.isEmpty() ? errDefault : e.toLowerCase(Locale.ROOT);
            if (e.equals("warn") || e.equals("abort")) {
                a.onError = e;
                break;
            }
            out.println("  '" + e + "' is not warn or abort");
        }

        // 7. isolation
        if (targets.isEmpty()) {
            a.isolate = false;
            out.println("isolation (--isolate): not offered, no BMC was named (the VM could reach nothing)");
        } else {
            a.isolate = yesNo("Fence the VM in with the Proxmox firewall so it reaches only these BMCs (--isolate)?",
                    a.isolate || a.targets.size() > 0);
        }
        out.flush();
        return a;
    }

    /** The one-line command that makes the same changes without questions. */
    public static String command(int vmid, Answers a, Instant now) {
        List<String> argv = new ArrayList<>(List.of("time-shift", "enable", Integer.toString(vmid)));
        Policy p = EnableService.parse(new EnableService.Request(vmid, a.date, a.offset, a.mode, a.zone, a.storage, a.tolerance,
                a.keepTimeSync, a.onError, a.targets, a.chain, false, true, a.guestZone), now);
        if (p.mode() == Mode.OFFSET) {
            argv.add("--offset");
            argv.add(Durations.format(p.offset()));
        } else {
            argv.add("--date");
            argv.add(Instants.iso(p.date()));
        }
        argv.add("--mode");
        argv.add(p.mode().id());
        if (a.keepTimeSync) {
            argv.add("--keep-time-sync");
        }
        argv.add("--on-error");
        argv.add(a.onError == null ? "warn" : a.onError);
        for (String t : a.targets) {
            argv.add("--target");
            argv.add(t);
        }
        if (a.isolate) {
            argv.add("--isolate");
            for (String d : a.dns) {
                argv.add("--allow-dns");
                argv.add(d);
            }
        }
        if (a.storage != null && !a.storage.isBlank() && !a.storage.trim().equals("local")) {
            argv.add("--storage");
            argv.add(a.storage.trim());
        }
        if (a.tolerance != null) {
            argv.add("--tolerance");
            argv.add(a.tolerance);
        }
        if (a.chain) {
            argv.add("--chain");
        }
        if (a.guestZone != null) {
            argv.add("--guest-zone");
            argv.add(a.guestZone);
        }
        argv.add("--yes");
        List<String> quoted = new ArrayList<>();
        for (String s : argv) {
            quoted.add(shellQuote(s));
        }
        return String.join(" ", quoted);
    }

    static String shellQuote(String s) {
        boolean plain = !s.isEmpty();
        for (int i = 0; i < s.length() && plain; i++) {
            char c = s.charAt(i);
            plain = Character.isLetterOrDigit(c) && c < 128 || "-_.:/+=@,[]".indexOf(c) >= 0;
        }
        return plain ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    private String line(String prompt) {
        out.flush();
        String s = term.readLine(prompt);
        if (s == null) {
            throw new Aborted();
        }
        return s.trim();
    }

    private boolean yesNo(String question, boolean dflt) {
        while (true) {
            String s = line(question + (dflt ? " [Y/n] " : " [y/N] ")).toLowerCase(Locale.ROOT);
            if (s.isEmpty()) {
                return dflt;
            }
            if (s.equals("y") || s.equals("yes")) {
                return true;
            }
            if (s.equals("n") || s.equals("no")) {
                return false;
            }
            out.println("  answer y or n");
        }
    }
}

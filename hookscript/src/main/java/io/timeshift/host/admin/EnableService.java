package io.timeshift.host.admin;

import io.timeshift.host.apply.Detacher;
import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.env.LocalNode;
import io.timeshift.host.env.Pmxcfs;
import io.timeshift.host.io.AtomicFiles;
import io.timeshift.host.io.Json;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyParser;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.time.GuestRtc;
import io.timeshift.common.time.Durations;
import io.timeshift.common.time.Instants;
import io.timeshift.common.time.Whens;
import io.timeshift.host.vmconfig.ConfigChange;
import io.timeshift.host.vmconfig.ConfigEdits;
import io.timeshift.host.vmconfig.TextDiff;
import io.timeshift.host.vmconfig.VmLocator;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.StorageConfig;
import io.timeshift.pve.api.VmConfigView;
import io.timeshift.pve.api.error.PveNotFoundException;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.pve.qga.GuestTimezone;
import io.timeshift.pve.qga.QgaClient;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * {@code time-shift enable}: validates everything first (VM on this node, not a template, not locked,
 * no foreign hookscript unless {@code --chain}, storage holds snippets, snippet present and executable,
 * pmxcfs writable), shows the changes, confirms, then writes the policy and makes ONE config update
 * (hookscript, startdate, agent, tag, Notes line, checked against the digest read before). A failure
 * after the first change undoes every change made so far, in reverse order.
 */
public final class EnableService {
    /** What the admin asked for, as typed (parsed and validated here, so messages name the option). */
    public record Request(int vmid, String date, String offset, String mode, String zone, String storage, String tolerance,
                          boolean keepTimeSync, String onError, List<String> targets, boolean chain, boolean dryRun,
                          boolean yes, String guestZone) {
    }

    /** How long enable waits for a running guest's agent to tell its time zone. */
    static final Duration GUEST_ZONE_TIMEOUT = Duration.ofSeconds(3);

    private final HostPaths paths;
    private final Map<String, String> env;
    private final Clock clock;
    private final Supplier<PveClient> pve;
    private final Detacher detacher;
    private final Prompt prompt;
    private final SnippetInstaller snippets;
    private final PrintWriter out;
    private final IntFunction<QgaClient> agents;

    public EnableService(HostPaths paths, Map<String, String> env, Clock clock, Supplier<PveClient> pve, Detacher detacher,
                         Prompt prompt, SnippetInstaller snippets, PrintWriter out, IntFunction<QgaClient> agents) {
        this.agents = agents;
        this.paths = paths;
        this.env = env;
        this.clock = clock;
        this.pve = pve;
        this.detacher = detacher;
        this.prompt = prompt;
        this.snippets = snippets;
        this.out = out;
    }

    public int enable(Request r) {
        int vmid = r.vmid();
        Instant now = clock.instant();
        Policy draft = parse(r, now);
        String storageId = r.storage() == null || r.storage().isBlank() ? "local" : r.storage().trim();
        String volid = ConfigEdits.volid(storageId);
        String node = LocalNode.name(paths.pveDir());
        String command = "enable " + vmid + " ...";

        try (PveClient client = pve.get()) {
            // ---- validate: nothing is changed before all of this passed
            VmConfigView conf = VmLocator.config(client, node, vmid, command, false);
            if (conf.template()) {
                throw new EnvironmentException("VM " + vmid + " is a template and never starts; enable time-shift on a clone"
                        + " (qm clone " + vmid + " <newid>)");
            }
            if (conf.lock().isPresent()) {
                throw new EnvironmentException("VM " + vmid + " is locked (" + conf.lock().get()
                        + "); wait until that operation finishes, then run again");
            }
            PolicyStore store = new PolicyStore(paths);
            Optional<String> previousText = store.readText(vmid);
            Policy previous = null;
            if (previousText.isPresent()) {
                try {
                    previous = PolicyParser.parse(previousText.get(), vmid, store.file(vmid).toString());
                } catch (InvalidInputException e) {
                    out.println("note: the existing policy is invalid and will be replaced (" + e.getMessage() + ")");
                }
            }
            String currentHook = conf.hookscript().orElse(null);
            boolean foreignHook = currentHook != null && !ConfigEdits.isOurs(currentHook);
            String chain;
            Policy.Original original;
            if (foreignHook) {
                if (!r.chain()) {
                    throw new EnvironmentException("VM " + vmid + " already has the hookscript " + currentHook
                            + "; pass --chain to keep it (time-shift runs it first for every phase and restores it on disable)");
                }
                chain = currentHook;
                original = new Policy.Original(conf.startdate().orElse(null), currentHook, conf.agent().orElse(null));
            } else if (previous != null) {
                chain = previous.chain();
                original = previous.original();
            } else {
                chain = null;
                original = new Policy.Original(conf.startdate().orElse(null), null, conf.agent().orElse(null));
            }
            Policy policy = new Policy(vmid, draft.mode(), draft.date(), draft.offset(), draft.tolerance(),
                    draft.keepTimeSync(), draft.abortOnError(), draft.targets(), chain, original);

            StorageConfig storage;
            try {
                storage = client.storageConfig(storageId);
            } catch (PveNotFoundException e) {
                throw new InvalidInputException("--storage: storage '" + storageId + "' does not exist (list them with: pvesm status)");
            }
            if (!storage.availableOn(node)) {
                throw new EnvironmentException("storage '" + storageId + "' is disabled or not available on node " + node
                        + "; enable it (pvesm set " + storageId + " --disable 0) or choose another with --storage");
            }
            Path snippet = snippets.path(volid, storage);
            SnippetInstaller.Problem snippetProblem = SnippetInstaller.problem(snippet);
            SnippetInstaller.Source source = snippetProblem == SnippetInstaller.Problem.MISSING ? snippets.source() : null;
            String newContent = null;
            if (!storage.allows("snippets")) {
                List<String> c = new ArrayList<>(storage.content());
                c.add("snippets");
                newContent = String.join(",", c);
                if (!r.yes() && !r.dryRun()) {
                    throw new EnvironmentException("storage '" + storageId + "' does not allow snippets; run: pvesm set "
                            + storageId + " --content " + newContent + " (or pass --yes to let time-shift do it)");
                }
            }
            boolean running = client.node(node).qemu(vmid).status().running();
            GuestZoneDecision zone = guestZone(vmid, conf, draft.guestZone(), previous, running);
            policy = policy.withGuestZone(zone.zone());
            Pmxcfs.requireWritable(paths.policyDir(), "nothing was changed");

            ConfigChange change = new ConfigChange(conf);
            change.set("hookscript", volid);
            Instant startAt = policy.mode() == Mode.OFFSET ? now.plus(policy.offset()) : policy.date();
            // a guest whose RTC runs in local time reads startdate in its zone (docs/pve-rtc.md)
            change.set("startdate", GuestRtc.startdateFor(startAt, zone.localRtc(), zone.zone(), null, GuestRtc.hostZone(env)));
            boolean agentWasOff = !conf.agentEnabled();
            if (agentWasOff) {
                change.set("agent", ConfigEdits.enableAgent(conf.agent().orElse(null)));
            }
            change.set("tags", ConfigEdits.withTag(conf.get("tags").orElse(null)));
            String notesFull = change.notesLine(vmid, conf.description().orElse(""), policy);
            String newPolicyText = new String(Json.pretty(policy.toJson()), StandardCharsets.UTF_8);

            // ---- show
            out.println("VM " + vmid + " (" + conf.name().orElse("no name") + ") on node " + node + ", "
                    + (running ? "running" : "stopped") + ": " + policy.summary());
            out.println(zone.line());
            if (notesFull != null) {
                out.println(notesFull);
            }
            if (newContent != null) {
                out.println("storage " + storageId + ": content " + String.join(",", storage.content()) + " -> " + newContent
                        + " (pvesm set " + storageId + " --content " + newContent + ")" + (r.yes() ? "" : " [only with --yes]"));
            }
            if (snippetProblem != null) {
                out.println("snippet " + snippet + ": " + snippetProblem + "; "
                        + (source != null ? "install it from " + source.description() : "chmod 0755 it"));
            }
            if (chain != null) {
                out.println("chain: " + chain + " keeps running first for every phase (its exit status decides pre-start)");
            }
            out.println("config of VM " + vmid + " (one update, digest " + conf.digest() + "):");
            if (change.isEmpty()) {
                out.println("   (no change)");
            } else {
                change.diff("  ").forEach(out::println);
            }
            out.println("policy " + store.file(vmid) + (previousText.isPresent() ? ":" : " (new):"));
            for (String l : TextDiff.lines(previousText.orElse(""), newPolicyText)) {
                out.println("  " + l);
            }
            int gate = prompt.gate(r.dryRun(), r.yes(), out, null);
            if (gate != Prompt.GO) {
                return gate;
            }

            // ---- change, undoing on failure
            Deque<Undo> undo = new ArrayDeque<>();
            Map<String, Object> details = new LinkedHashMap<>();
            try {
                if (newContent != null) {
                    String oldContent = String.join(",", storage.content());
                    setStorageContent(client, storageId, newContent, storage.digest().orElse(null));
                    undo.push(new Undo("storage " + storageId + " content back to " + oldContent,
                            "pvesm set " + storageId + " --content " + oldContent,
                            () -> setStorageContent(client, storageId, oldContent, null)));
                    details.put("storageContent", newContent);
                }
                if (source != null) {
                    snippets.install(snippet, source);
                    undo.push(new Undo("remove " + snippet, "rm " + snippet, () -> deleteFile(snippet)));
                    details.put("snippetInstalled", snippet.toString());
                } else if (snippetProblem == SnippetInstaller.Problem.NOT_EXECUTABLE) {
                    SnippetInstaller.makeExecutable(snippet);
                    details.put("snippetChmod", snippet.toString());
                }
                store.write(policy);
                Path policyFile = store.file(vmid);
                if (previousText.isPresent()) {
                    byte[] prev = previousText.get().getBytes(StandardCharsets.UTF_8);
                    undo.push(new Undo("restore the previous policy " + policyFile, "time-shift enable " + vmid + " again",
                            () -> AtomicFiles.write(policyFile, prev, AtomicFiles.MODE_0640)));
                } else {
                    undo.push(new Undo("remove the new policy " + policyFile, "rm " + policyFile, () -> deleteFile(policyFile)));
                }
                if (!change.isEmpty()) {
                    client.node(node).qemu(vmid).updateConfig(change.update());
                }
            } catch (RuntimeException e) {
                throw Rollback.run(vmid, undo, e, out);
            }

            details.put("policy", policy.toJson());
            details.put("config", new LinkedHashMap<>(change.changes()));
            details.put("running", running);
            out.println("VM " + vmid + ": time-shift enabled (" + policy.summary() + ")");
            int rc = 0;
            if (running) {
                out.println("VM " + vmid + " is running: startdate applies from its next cold start (stop and start;"
                        + " a reboot inside the guest keeps the current clock)");
                if (agentWasOff) {
                    out.println("the guest agent was off: QEMU only gets its channel at the next cold start, so the running"
                            + " guest cannot be shifted now; stop and start VM " + vmid + " (qm shutdown " + vmid + " && qm start "
                            + vmid + ")");
                } else if (r.yes() || (prompt.interactive() && prompt.confirm("Apply the policy to the running guest now? [y/N] "))) {
                    try {
                        long pid = detacher.spawn(List.of("apply", Integer.toString(vmid)), paths.workerLog(vmid));
                        details.put("applyNow", Map.of("pid", pid, "log", paths.workerLog(vmid).toString()));
                        out.println("applying now in the background (pid " + pid + ", log " + paths.workerLog(vmid)
                                + "); check with: time-shift status " + vmid);
                    } catch (IOException | RuntimeException e) {
                        details.put("applyNow", "failed: " + e.getMessage());
                        out.println("could not start the apply worker (" + e.getMessage() + "); run: time-shift apply " + vmid);
                        rc = TimeShiftException.ENVIRONMENT;
                    }
                } else {
                    out.println("to shift the running guest now: time-shift apply " + vmid);
                }
            }
            audit(vmid, "enable", details);
            out.flush();
            return rc;
        }
    }

    /** {@code pvesh set /storage/<id> --content ...} (the API of {@code pvesm set}). */
    static void setStorageContent(PveClient client, String storage, String content, String digest) {
        client.setStorageContent(storage, content, digest);
    }

    static void deleteFile(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot delete", p, e), e);
        }
    }

    private void audit(int vmid, String action, Map<String, Object> details) {
        new AuditLog(paths.auditLog(), clock).appendOrWarn(Actor.of(env), vmid, action, details).ifPresent(out::println);
    }

    /** Parses and cross-checks the options; exit 2 naming the option. */
    static Policy parse(Request r, Instant now) {
        if (r.date() != null && r.offset() != null) {
            throw new InvalidInputException("--date and --offset exclude each other: give one");
        }
        if (r.date() == null && r.offset() == null) {
            throw new InvalidInputException("give --date <when> (" + Whens.VALID_FORMS + ") or --offset <duration> ("
                    + Durations.VALID_FORMS + ")");
        }
        if (r.zone() != null && r.date() == null) {
            throw new InvalidInputException("--zone only applies to a --date without an offset (e.g. --date 2021-03-01T12:00:00"
                    + " --zone Europe/Berlin); with --offset it would be ignored: drop it");
        }
        ZoneId zone = ZoneOffset.UTC;
        if (r.zone() != null) {
            try {
                zone = ZoneId.of(r.zone());
            } catch (DateTimeException e) {
                throw new InvalidInputException("--zone: '" + r.zone() + "' is not a time zone (use e.g. UTC, Europe/Berlin, +02:00)");
            }
        }
        Mode mode;
        if (r.mode() == null) {
            mode = r.date() != null ? Mode.FIXED : Mode.OFFSET;
        } else {
            mode = Mode.parse(r.mode().trim().toLowerCase(java.util.Locale.ROOT));
            if (mode == null) {
                throw new InvalidInputException("--mode: '" + r.mode() + "' is not a mode (use fixed, offset or continue)");
            }
        }
        Instant date = null;
        Duration offset = null;
        if (r.date() != null) {
            Instant d = Whens.parse(r.date(), zone, "--date");
            if (mode == Mode.OFFSET) {
                offset = Duration.ofSeconds(Duration.between(now, d).getSeconds());
            } else {
                date = d;
            }
        } else {
            Duration o = Durations.parse(r.offset(), "--offset");
            Instant target = Instant.ofEpochSecond(now.plus(o).getEpochSecond());
            Whens.requireSettableYear(target, "--offset");
            if (mode == Mode.OFFSET) {
                offset = o;
            } else {
                date = target;
            }
        }
        Duration tolerance = Policy.DEFAULT_TOLERANCE;
        if (r.tolerance() != null) {
            tolerance = Durations.parse(r.tolerance(), "--tolerance");
            if (tolerance.isNegative() || tolerance.isZero()) {
                throw new InvalidInputException("--tolerance: must be positive, e.g. 2s or PT2S");
            }
        }
        boolean abort;
        String onError = r.onError() == null ? "warn" : r.onError().trim();
        if (onError.equals("warn")) {
            abort = false;
        } else if (onError.equals("abort")) {
            abort = true;
        } else {
            throw new InvalidInputException("--on-error: '" + r.onError() + "' is not valid (use warn or abort)");
        }
        List<String> targets = TargetArgs.parse(r.targets());
        String guestZone = null;
        if (r.guestZone() != null) {
            ZoneId z = GuestRtc.parseZone(r.guestZone().trim());
            if (z == null) {
                throw new InvalidInputException("--guest-zone: '" + GuestRtc.printable(r.guestZone()) + "' is not a time zone (use"
                        + " an IANA id like Asia/Karachi or an offset like +05:00)");
            }
            guestZone = z.getId();
        }
        return new Policy(r.vmid(), mode, date, offset, tolerance, r.keepTimeSync(), abort, targets, null, null, guestZone);
    }

    /** The guest zone for the policy, whether the VM's RTC runs in local time, and the one line saying so. */
    record GuestZoneDecision(String zone, boolean localRtc, String line) {
    }

    /**
     * {@code --guest-zone}, else the previous policy's, else the running guest's (agent), else the last one an
     * apply learned (state), else the host's. Only a guest whose RTC runs in local time needs one
     * (docs/pve-rtc.md); for the others an explicit zone is kept but nothing is looked up.
     */
    private GuestZoneDecision guestZone(int vmid, VmConfigView conf, String explicit, Policy previous, boolean running) {
        String localtime = conf.get("localtime").orElse(null);
        String ostype = conf.get("ostype").orElse(null);
        boolean local = GuestRtc.localTime(localtime, ostype);
        String why = "ostype " + (ostype == null ? "unset" : ostype) + ", localtime " + (localtime == null ? "unset" : localtime);
        if (!local) {
            return new GuestZoneDecision(explicit, false, "guest zone: " + (explicit == null ? "not needed" : explicit
                    + " (from --guest-zone), not used now") + ": VM " + vmid + "'s RTC runs in UTC (" + why + ")");
        }
        String rtc = ": VM " + vmid + "'s RTC runs in local time (" + why + "), so startdate is written in that zone";
        if (explicit != null) {
            return new GuestZoneDecision(explicit, true, "guest zone: " + explicit + " (from --guest-zone)" + rtc);
        }
        if (previous != null && previous.guestZone() != null) {
            return new GuestZoneDecision(previous.guestZone(), true, "guest zone: " + previous.guestZone()
                    + " (kept from the existing policy; change it with --guest-zone)" + rtc);
        }
        String agentNote = "";
        if (running && conf.agentEnabled()) {
            try {
                GuestTimezone tz = agents.apply(vmid).withTimeout(GUEST_ZONE_TIMEOUT).timezone();
                String id = fixed(tz.offsetSeconds());
                return new GuestZoneDecision(id, true, "guest zone: " + id + " (from the running guest's agent"
                        + (tz.zone() == null ? "" : ", which calls it " + GuestRtc.printable(tz.zone()))
                        + "; a fixed offset: pass --guest-zone <Area/City> for daylight saving)" + rtc);
            } catch (TimeShiftException e) { // agent silent, old, hostile, or its socket unreadable: fall back
                agentNote = "; the guest agent did not tell (" + e.getMessage() + ")";
            }
        }
        GuestRtc.Learned learned = null;
        try {
            learned = new StateStore(paths).read(vmid).guestZone();
        } catch (TimeShiftException e) {
            agentNote += "; state unreadable (" + e.getMessage() + ")";
        }
        if (learned != null) {
            String id = fixed(learned.offsetSeconds());
            return new GuestZoneDecision(id, true, "guest zone: " + id + " (the guest agent's at the last apply, "
                    + Instants.iso(learned.at()) + agentNote + "; pass --guest-zone <Area/City> for daylight saving)" + rtc);
        }
        String host = GuestRtc.hostZone(env).getId();
        return new GuestZoneDecision(host, true, "guest zone: " + host + " (the host's zone" + agentNote
                + "; pass --guest-zone if the guest's differs)" + rtc);
    }

    /** A fixed offset as a zone id: {@code UTC} or {@code +05:00}. */
    static String fixed(int offsetSeconds) {
        return offsetSeconds == 0 ? "UTC" : ZoneOffset.ofTotalSeconds(offsetSeconds).getId();
    }

    /** One step to undo: what it does, and the command an admin runs if it fails. */
    record Undo(String what, String manualFix, Runnable action) {
    }
}

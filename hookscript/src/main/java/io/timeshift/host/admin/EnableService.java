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
 * {@code time-shift enable}, in three steps the CLI runs between its own output and questions:
 * {@link #preview} validates everything first (VM on this node, not a template, not locked, no foreign
 * hookscript unless {@code --chain}, storage holds snippets, snippet present and executable, pmxcfs
 * writable) and returns what would change; {@link #apply} writes the policy and makes ONE config update
 * (hookscript, startdate, agent, tag, Notes line, checked against the digest read before), undoing every
 * change made so far, in reverse order, when one fails; {@link #finish} starts the apply worker for a
 * running guest (when asked) and records the audit entry. Nothing here prints.
 */
public final class EnableService {
    /** What the admin asked for, as typed (parsed and validated here, so messages name the option). */
    public record Request(int vmid, String date, String offset, String mode, String zone, String storage, String tolerance,
                          boolean keepTimeSync, String onError, List<String> targets, boolean chain, boolean dryRun,
                          boolean yes, String guestZone) {
    }

    /** How long enable waits for a running guest's agent to tell its time zone. */
    static final Duration GUEST_ZONE_TIMEOUT = Duration.ofSeconds(3);

    /** Adding {@code snippets} to the storage's content types: before, after. */
    public record StorageChange(String storage, List<String> content, String newContent) {
    }

    /** The hook snippet's file and what is wrong with it; {@code source} is where a missing one is installed from (null: chmod). */
    public record SnippetFix(Path path, SnippetInstaller.Problem problem, String source) {
    }

    /**
     * What {@link #apply} will change, for the CLI to show before asking: the VM (name null when it has
     * none) and its state, the new policy's summary, why the existing policy file is invalid (null: valid
     * or none), the guest-zone decision (one line), why the Notes stay without the time-shift line (null:
     * the line goes in), the storage and snippet fixes (null: none needed), the VM's own hookscript kept
     * and run first (null: none), the config digest the one update is checked against and the config diff
     * ({@code -key: old}, {@code +key: new}, the Notes as a line diff; empty: no change), the policy file
     * and its text diff; {@code yes}: {@code --yes} was given (the storage is changed only then).
     * {@code changes} is what {@link #apply} makes (null in a preview not built by {@link #preview}).
     */
    public record Preview(int vmid, String vmName, String node, boolean running, String policySummary, String invalidPolicy,
                          String guestZoneLine, String notesLine, StorageChange storageChange, SnippetFix snippetFix,
                          String chain, String digest, List<String> configDiff, Path policyFile, boolean policyIsNew,
                          List<String> policyDiff, boolean yes, Changes changes) {
        public Preview {
            configDiff = List.copyOf(configDiff);
            policyDiff = List.copyOf(policyDiff);
        }
    }

    /** The changes behind a {@link Preview}, as {@link #apply} makes them. */
    public static final class Changes {
        private final Policy policy;
        private final ConfigChange change;
        private final String previousText;
        private final StorageConfig storage;
        private final SnippetInstaller.Source source;
        private final boolean agentWasOff;

        Changes(Policy policy, ConfigChange change, String previousText, StorageConfig storage, SnippetInstaller.Source source,
                boolean agentWasOff) {
            this.policy = policy;
            this.change = change;
            this.previousText = previousText;
            this.storage = storage;
            this.source = source;
            this.agentWasOff = agentWasOff;
        }
    }

    /**
     * {@link #preview} refused after finding the existing policy invalid: the CLI shows that note, then
     * exits with {@link #error()}.
     */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final String invalidPolicy;
        private final TimeShiftException error;

        Refused(String invalidPolicy, TimeShiftException error) {
            super(error.getMessage(), error, false, false);
            this.invalidPolicy = invalidPolicy;
            this.error = error;
        }

        /** {@link Preview#invalidPolicy()}. */
        public String invalidPolicy() {
            return invalidPolicy;
        }

        public TimeShiftException error() {
            return error;
        }
    }

    /**
     * What {@link #apply} changed: the storage's new content types, the snippet installed or made
     * executable (each null when not), the policy file, the config keys set in the one update (null value:
     * deleted); {@code running}/{@code agentWasOff} for what can happen to a running guest now, and the
     * audit entry's details that {@link #finish} records.
     */
    public record Enabled(int vmid, String policySummary, boolean running, boolean agentWasOff, String storageContent,
                          Path snippetInstalled, Path snippetChmod, Path policyFile, Map<String, String> config,
                          Map<String, Object> auditDetails) {
        /** Whether the running guest can be shifted now (running, agent channel present): the CLI asks (or --yes). */
        public boolean canApplyNow() {
            return running && !agentWasOff;
        }
    }

    /** What happened to a running guest after enable. */
    public enum ApplyNow {
        /** The VM is stopped: startdate applies at its start. */
        NOT_RUNNING,
        /** The agent was off: only a cold start gives QEMU its channel. */
        COLD_START_NEEDED,
        /** Not asked for: the admin runs {@code time-shift apply} later. */
        NOT_ASKED,
        /** The apply worker runs detached. */
        STARTED,
        /** The apply worker could not be started. */
        FAILED
    }

    /**
     * The whole of enable: what changed, what happened to a running guest (with the worker's pid and log,
     * or why it could not start), and the warning line when the audit entry could not be written (null when it was).
     */
    public record Result(Enabled enabled, ApplyNow applyNow, long pid, Path workerLog, String workerError,
                         String auditWarning) {
        /** 0, or 3 when the apply worker could not be started. */
        public int exitCode() {
            return applyNow == ApplyNow.FAILED ? TimeShiftException.ENVIRONMENT : 0;
        }
    }

    private final HostPaths paths;
    private final Map<String, String> env;
    private final Clock clock;
    private final Supplier<PveClient> pve;
    private final Detacher detacher;
    private final SnippetInstaller snippets;
    private final IntFunction<QgaClient> agents;

    public EnableService(HostPaths paths, Map<String, String> env, Clock clock, Supplier<PveClient> pve, Detacher detacher,
                         SnippetInstaller snippets, IntFunction<QgaClient> agents) {
        this.agents = agents;
        this.paths = paths;
        this.env = env;
        this.clock = clock;
        this.pve = pve;
        this.detacher = detacher;
        this.snippets = snippets;
    }

    /**
     * Validates the request against this node and the VM and works out every change; changes nothing.
     * Without {@code --yes} and {@code --dry-run}, a storage without snippets is refused here.
     *
     * @throws Refused when the existing policy was found invalid before another check failed
     */
    public Preview preview(Request r) {
        int vmid = r.vmid();
        Instant now = clock.instant();
        Policy draft = parse(r, now);
        String storageId = r.storage() == null || r.storage().isBlank() ? "local" : r.storage().trim();
        String volid = ConfigEdits.volid(storageId);
        String node = LocalNode.name(paths.pveDir());
        String command = "enable " + vmid + " ...";

        try (PveClient client = pve.get()) {
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
            String invalidPolicy = null;
            if (previousText.isPresent()) {
                try {
                    previous = PolicyParser.parse(previousText.get(), vmid, store.file(vmid).toString());
                } catch (InvalidInputException e) {
                    invalidPolicy = e.getMessage();
                }
            }
            try {
                return preview(r, client, conf, node, volid, storageId, store, previousText, previous, draft, now, invalidPolicy);
            } catch (TimeShiftException e) {
                if (invalidPolicy == null) {
                    throw e;
                }
                throw new Refused(invalidPolicy, e);
            }
        }
    }

    private Preview preview(Request r, PveClient client, VmConfigView conf, String node, String volid, String storageId,
                            PolicyStore store, Optional<String> previousText, Policy previous, Policy draft, Instant now,
                            String invalidPolicy) {
        int vmid = r.vmid();
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
        StorageChange storageChange = null;
        if (!storage.allows("snippets")) {
            List<String> c = new ArrayList<>(storage.content());
            c.add("snippets");
            storageChange = new StorageChange(storageId, List.copyOf(storage.content()), String.join(",", c));
            if (!r.yes() && !r.dryRun()) {
                throw snippetsRefused(storageChange);
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
        String notesLine = change.notesLine(vmid, conf.description().orElse(""), policy);
        String newPolicyText = new String(Json.pretty(policy.toJson()), StandardCharsets.UTF_8);
        SnippetFix fix = snippetProblem == null ? null
                : new SnippetFix(snippet, snippetProblem, source == null ? null : source.description());
        return new Preview(vmid, conf.name().orElse(null), node, running, policy.summary(), invalidPolicy, zone.line(), notesLine,
                storageChange, fix, chain, conf.digest(), change.diff(""), store.file(vmid), previousText.isEmpty(),
                TextDiff.lines(previousText.orElse(""), newPolicyText), r.yes(),
                new Changes(policy, change, previousText.orElse(null), storage, source, agentWasOff));
    }

    private static EnvironmentException snippetsRefused(StorageChange c) {
        return new EnvironmentException("storage '" + c.storage() + "' does not allow snippets; run: pvesm set "
                + c.storage() + " --content " + c.newContent() + " (or pass --yes to let time-shift do it)");
    }

    /**
     * Makes the changes {@code p} shows: the storage's content (only with {@code --yes}), the snippet, the
     * policy, the one config update. A failure undoes what was changed so far.
     *
     * @throws Rollback.Failed when a change failed (what was rolled back, and the failure to exit with)
     */
    public Enabled apply(Preview p) {
        int vmid = p.vmid();
        Changes c = p.changes();
        StorageChange storageChange = p.storageChange();
        if (storageChange != null && !p.yes()) {
            throw snippetsRefused(storageChange);
        }
        PolicyStore store = new PolicyStore(paths);
        Deque<Undo> undo = new ArrayDeque<>();
        Map<String, Object> details = new LinkedHashMap<>();
        Path installed = null;
        Path chmod = null;
        try (PveClient client = pve.get()) {
            try {
                if (storageChange != null) {
                    String storageId = storageChange.storage();
                    String oldContent = String.join(",", storageChange.content());
                    setStorageContent(client, storageId, storageChange.newContent(), c.storage.digest().orElse(null));
                    undo.push(new Undo("storage " + storageId + " content back to " + oldContent,
                            "pvesm set " + storageId + " --content " + oldContent,
                            () -> setStorageContent(client, storageId, oldContent, null)));
                    details.put("storageContent", storageChange.newContent());
                }
                Path snippet = p.snippetFix() == null ? null : p.snippetFix().path();
                if (c.source != null) {
                    snippets.install(snippet, c.source);
                    undo.push(new Undo("remove " + snippet, "rm " + snippet, () -> deleteFile(snippet)));
                    details.put("snippetInstalled", snippet.toString());
                    installed = snippet;
                } else if (snippet != null && p.snippetFix().problem() == SnippetInstaller.Problem.NOT_EXECUTABLE) {
                    SnippetInstaller.makeExecutable(snippet);
                    details.put("snippetChmod", snippet.toString());
                    chmod = snippet;
                }
                store.write(c.policy);
                Path policyFile = store.file(vmid);
                if (c.previousText != null) {
                    byte[] prev = c.previousText.getBytes(StandardCharsets.UTF_8);
                    undo.push(new Undo("restore the previous policy " + policyFile, "time-shift enable " + vmid + " again",
                            () -> AtomicFiles.write(policyFile, prev, AtomicFiles.MODE_0640)));
                } else {
                    undo.push(new Undo("remove the new policy " + policyFile, "rm " + policyFile, () -> deleteFile(policyFile)));
                }
                if (!c.change.isEmpty()) {
                    client.node(p.node()).qemu(vmid).updateConfig(c.change.update());
                }
            } catch (RuntimeException e) {
                throw Rollback.run(vmid, undo, e);
            }
        }
        Map<String, String> config = new LinkedHashMap<>(c.change.changes());
        details.put("policy", c.policy.toJson());
        details.put("config", config);
        details.put("running", p.running());
        return new Enabled(vmid, c.policy.summary(), p.running(), c.agentWasOff, details.containsKey("storageContent")
                ? storageChange.newContent() : null, installed, chmod, store.file(vmid),
                java.util.Collections.unmodifiableMap(config), details);
    }

    /**
     * After {@link #apply}: starts the apply worker for the running guest when {@code applyNow} (and its
     * agent channel exists), then appends the audit entry. Call once per {@link Enabled}.
     */
    public Result finish(Enabled e, boolean applyNow) {
        int vmid = e.vmid();
        ApplyNow now = ApplyNow.NOT_RUNNING;
        long pid = 0;
        Path log = null;
        String error = null;
        if (e.running()) {
            if (e.agentWasOff()) {
                now = ApplyNow.COLD_START_NEEDED;
            } else if (applyNow) {
                log = paths.workerLog(vmid);
                try {
                    pid = detacher.spawn(List.of("apply", Integer.toString(vmid)), log);
                    e.auditDetails().put("applyNow", Map.of("pid", pid, "log", log.toString()));
                    now = ApplyNow.STARTED;
                } catch (IOException | RuntimeException ex) {
                    error = ex.getMessage();
                    e.auditDetails().put("applyNow", "failed: " + error);
                    now = ApplyNow.FAILED;
                }
            } else {
                now = ApplyNow.NOT_ASKED;
            }
        }
        String auditWarning = new AuditLog(paths.auditLog(), clock)
                .appendOrWarn(Actor.of(env), vmid, "enable", e.auditDetails()).orElse(null);
        return new Result(e, now, pid, log, error, auditWarning);
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

    /** Parses and cross-checks the options; exit 2 naming the option. */
    public static Policy parse(Request r, Instant now) {
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

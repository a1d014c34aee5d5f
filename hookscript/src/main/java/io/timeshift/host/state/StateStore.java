package io.timeshift.host.state;

import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.io.AtomicFiles;
import io.timeshift.host.io.InProcessLocks;
import io.timeshift.host.io.LogLines;
import io.timeshift.host.io.Json;
import io.timeshift.common.time.Instants;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Node-local per-VM state. Hook phases and the apply worker update it concurrently (pre-stop may run
 * while the worker is still watching the clock), so every change is a read-modify-write under an
 * exclusive flock on {@code <vmid>.state.lock}, and every write is atomic.
 *
 * <p>Self-healing: a state file that is not valid UTF-8, not JSON, larger than {@value #MAX_BYTES}
 * bytes or has a field of the wrong type or range ({@link VmState#problem}) is damaged. Readers
 * ({@link #inspect}) report it as that VM's problem and see an empty state; a writer ({@link #update})
 * moves it aside to {@code <vmid>.json.bad-<UTC time>}, says so in one stderr line and one audit entry,
 * and goes on as on a first start.
 */
public final class StateStore {
    /** A state file of ours is a few KiB; anything this large is damage. */
    public static final int MAX_BYTES = 1 << 20;

    /** A state as read: empty when missing or damaged; {@code problem} says why when damaged (one line). */
    public record Loaded(VmState state, String problem) {
    }

    private final HostPaths paths;
    private final Clock clock;
    private final LogLines log;
    private final String actor;

    /** For commands: a damaged file is set aside with an audit entry by actor "time-shift", no stderr line. */
    public StateStore(HostPaths paths) {
        this(paths, Clock.systemUTC(), LogLines.NONE, "time-shift");
    }

    /**
     * @param log   where the one line about a damaged file goes (a hook's stderr, the worker log)
     * @param actor the audit actor of the "state-reset" entry (e.g. "hook")
     */
    public StateStore(HostPaths paths, Clock clock, LogLines log, String actor) {
        this.paths = paths;
        this.clock = clock;
        this.log = Objects.requireNonNull(log, "log");
        this.actor = actor;
    }

    /** Current state; a missing or damaged file is an empty state (see {@link #inspect} for why). */
    public VmState read(int vmid) {
        return inspect(vmid).state();
    }

    /** Current state and, for a damaged file, the one-line problem; never moves anything. */
    public Loaded inspect(int vmid) {
        Path f = paths.stateFile(vmid);
        byte[] bytes;
        try {
            if (Files.size(f) > MAX_BYTES) {
                return damaged(vmid, f, "larger than " + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return new Loaded(VmState.empty(vmid), null);
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot read state", f, e), e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return damaged(vmid, f, "not valid UTF-8");
        }
        Map<String, Object> doc;
        try {
            doc = Json.parseObject(text, f.toString());
        } catch (InvalidInputException e) {
            return new Loaded(VmState.empty(vmid), e.getMessage());
        }
        String problem = VmState.problem(doc);
        return problem == null ? new Loaded(new VmState(doc), null) : damaged(vmid, f, problem);
    }

    private static Loaded damaged(int vmid, Path f, String problem) {
        return new Loaded(VmState.empty(vmid), f + ": " + problem);
    }

    /** Applies {@code change} to the current state and writes it, holding the VM's state lock. */
    public VmState update(int vmid, Consumer<VmState> change) {
        Path lock = paths.stateDir().resolve(vmid + ".state.lock");
        ReentrantLock threads = InProcessLocks.of(lock); // the flock below only serialises processes
        threads.lock();
        try {
            Files.createDirectories(paths.stateDir());
            try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                Loaded loaded = inspect(vmid);
                if (loaded.problem() != null) {
                    setAside(vmid, loaded.problem());
                }
                VmState s = loaded.state();
                change.accept(s);
                AtomicFiles.write(paths.stateFile(vmid), Json.pretty(s.toJson()), AtomicFiles.MODE_0640);
                return s;
            }
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot lock state", lock, e), e);
        } finally {
            threads.unlock();
        }
    }

    /** Moves a damaged file to {@code <vmid>.json.bad-<UTC time>}; one stderr line, one audit entry. Never throws. */
    private void setAside(int vmid, String problem) {
        Path f = paths.stateFile(vmid);
        Instant now = clock.instant();
        String stamp = Instants.iso(Instant.ofEpochSecond(now.getEpochSecond())).replace("-", "").replace(":", "");
        Path bad = f.resolveSibling(f.getFileName() + ".bad-" + stamp);
        for (int i = 1; Files.exists(bad) && i < 100; i++) {
            bad = f.resolveSibling(f.getFileName() + ".bad-" + stamp + "-" + i);
        }
        String where;
        try {
            Files.move(f, bad);
            where = "moved to " + bad.getFileName();
        } catch (IOException | RuntimeException e) {
            where = "could not be moved aside (" + e.getClass().getSimpleName() + "), overwritten";
        }
        String line = "time-shift: VM " + vmid + ": damaged state " + problem + "; " + where
                + "; starting over as on a first start";
        log.line(line);
        try {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("problem", problem);
            details.put("movedTo", where.startsWith("moved") ? bad.toString() : null);
            new AuditLog(paths.auditLog(), clock).append(actor, vmid, "state-reset", details);
        } catch (RuntimeException e) {
            log.line("time-shift: VM " + vmid + ": warning: " + e.getMessage());
        }
    }
}

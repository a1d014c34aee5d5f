package io.timeshift.host.state;

import io.timeshift.host.env.HostPaths;
import io.timeshift.host.io.AtomicFiles;
import io.timeshift.host.io.InProcessLocks;
import io.timeshift.host.io.Json;
import io.timeshift.pve.error.EnvironmentException;
import io.timeshift.pve.error.InvalidInputException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Node-local per-VM state. Hook phases and the apply worker update it concurrently (pre-stop may run
 * while the worker is still watching the clock), so every change is a read-modify-write under an
 * exclusive flock on {@code <vmid>.state.lock}, and every write is atomic.
 */
public final class StateStore {
    private final HostPaths paths;

    public StateStore(HostPaths paths) {
        this.paths = paths;
    }

    /** Current state; a missing file is an empty state, an unreadable one says so and starts empty. */
    public VmState read(int vmid) {
        Path f = paths.stateFile(vmid);
        try {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            return new VmState(Json.parseObject(text, f.toString()));
        } catch (NoSuchFileException e) {
            return VmState.empty(vmid);
        } catch (InvalidInputException e) {
            // a hand-edited or damaged state file must not break a VM start: start over, keep a copy
            try {
                Files.copy(f, f.resolveSibling(f.getFileName() + ".corrupt"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException ignored) {
                // best effort
            }
            return VmState.empty(vmid);
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot read state", f, e), e);
        }
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
                VmState s = read(vmid);
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
}

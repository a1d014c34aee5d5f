package io.timeshift.host.io;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@link ReentrantLock} per file, for the threads of this JVM. A {@code flock} taken through
 * {@link java.nio.channels.FileChannel#lock()} is held by the whole JVM: a second thread's
 * {@code lock()} on the same file does not wait but throws
 * {@link java.nio.channels.OverlappingFileLockException}. Take this lock first, then the file lock:
 * the file lock serialises processes, this one serialises threads.
 */
public final class InProcessLocks {
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private InProcessLocks() {
    }

    public static ReentrantLock of(Path file) {
        Path key = file.toAbsolutePath().normalize();
        ReentrantLock lock = LOCKS.get(key);
        if (lock == null) {
            // not computeIfAbsent with a lambda: the hook is a fresh JVM and the first lambda is costly
            ReentrantLock fresh = new ReentrantLock();
            lock = LOCKS.putIfAbsent(key, fresh);
            if (lock == null) {
                lock = fresh;
            }
        }
        return lock;
    }
}

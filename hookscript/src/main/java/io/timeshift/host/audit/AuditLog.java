package io.timeshift.host.audit;

import io.timeshift.host.io.AtomicFiles;
import io.timeshift.host.io.InProcessLocks;
import io.timeshift.host.io.Json;
import io.timeshift.pve.error.EnvironmentException;
import io.timeshift.pve.error.TimeShiftException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hash-chained audit log, {@code audit.jsonl}. Each line is a JSON object written as
 * {@code {"at":…,"actor":…,"vmid":…,"action":…,"details":{…},"prev":"<hash of previous line>","hash":"<h>"}}
 * where {@code h} is the SHA-256 hex of the line's bytes up to (not including) {@code ,"hash":}. The first
 * line's {@code prev} is 64 zeros. Appends hold an exclusive flock on the log itself, so two hooks running
 * at once can neither interleave bytes nor both chain onto the same predecessor.
 */
public final class AuditLog {
    public static final String GENESIS = "0".repeat(64);
    private static final String HASH_KEY = ",\"hash\":\"";

    private final Path file;
    private final Clock clock;

    public AuditLog(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    public Path file() {
        return file;
    }

    /**
     * {@link #append}, for admin commands whose change is already made: a failure to record it is printed
     * as a warning on {@code out} instead of failing the command.
     *
     * @return whether the entry was recorded
     */
    public boolean appendOrWarn(String actor, Integer vmid, String action, Map<String, Object> details, PrintWriter out) {
        try {
            append(actor, vmid, action, details);
            return true;
        } catch (TimeShiftException e) {
            out.println("warning: not recorded in the audit log: " + e.getMessage());
            out.flush();
            return false;
        }
    }

    /** Appends one entry; returns its hash. */
    public String append(String actor, Integer vmid, String action, Map<String, Object> details) {
        ReentrantLock threads = InProcessLocks.of(file); // the flock below only serialises processes
        threads.lock();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                String prev = lastHash(ch);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("at", io.timeshift.host.time.TimeParsers.iso(clock.instant()));
                m.put("actor", actor);
                m.put("vmid", vmid);
                m.put("action", action);
                m.put("details", details == null ? Map.of() : safe(details));
                m.put("prev", prev);
                String body = Json.compact(m);
                String unhashed = body.substring(0, body.length() - 1); // drop the closing brace
                String hash = sha256(unhashed);
                long end = ch.size();
                // after a crash mid-append the file ends in half a line: start ours on a line of its own,
                // so verify names the torn line and our entry stays whole
                String lead = end > 0 && lastByte(ch, end) != '\n' ? "\n" : "";
                byte[] line = (lead + unhashed + HASH_KEY + hash + "\"}\n").getBytes(StandardCharsets.UTF_8);
                ByteBuffer buf = ByteBuffer.wrap(line);
                while (buf.hasRemaining()) {
                    end += ch.write(buf, end);
                }
                ch.force(false);
                return hash;
            }
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot append to audit log", file, e), e);
        } finally {
            threads.unlock();
        }
    }

    /** Detail strings (often quoted from a guest or a file) through the one sanitizer: one line, at most 1000 chars. */
    private static Object safe(Object v) {
        if (v instanceof CharSequence s) {
            return io.timeshift.pve.text.Sanitizer.line(s);
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(io.timeshift.pve.text.Sanitizer.value(String.valueOf(e.getKey())), safe(e.getValue()));
            }
            return out;
        }
        if (v instanceof Iterable<?> list) {
            java.util.List<Object> out = new java.util.ArrayList<>();
            for (Object o : list) {
                out.add(safe(o));
            }
            return out;
        }
        return v;
    }

    private static int lastByte(FileChannel ch, long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1);
        ch.read(b, size - 1);
        return b.get(0);
    }

    /** Hash of the last complete line; a torn last line (crash mid-append) is ignored for chaining. */
    private static String lastHash(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0) {
            return GENESIS;
        }
        int tail = (int) Math.min(size, 64 * 1024);
        ByteBuffer buf = ByteBuffer.allocate(tail);
        ch.read(buf, size - tail);
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String h = hashOf(lines[i]);
            if (h != null) {
                return h;
            }
        }
        return GENESIS;
    }

    static String hashOf(String line) {
        int i = line.lastIndexOf(HASH_KEY);
        if (i < 0 || !line.endsWith("\"}") || line.length() - i - HASH_KEY.length() - 2 != 64) {
            return null;
        }
        return line.substring(i + HASH_KEY.length(), line.length() - 2);
    }

    /** Result of {@link #verify()}: lines checked and the first bad one (1-based) with why, or 0. */
    public record Verification(int lines, int firstBadLine, String problem) {
        public boolean ok() {
            return firstBadLine == 0;
        }
    }

    /** Checks every line's hash and its link to the previous line: detects edits, deletions and reordering. */
    public Verification verify() {
        List<String> lines;
        try {
            lines = readLines();
        } catch (NoSuchFileException e) {
            return new Verification(0, 0, null);
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot read audit log", file, e), e);
        }
        String prev = GENESIS;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int n = i + 1;
            String hash = hashOf(line);
            if (hash == null) {
                return new Verification(lines.size(), n, "line " + n + " is not a complete audit entry (truncated or edited)");
            }
            String unhashed = line.substring(0, line.lastIndexOf(HASH_KEY));
            if (!sha256(unhashed).equals(hash)) {
                return new Verification(lines.size(), n, "line " + n + " was modified (its hash does not match its content)");
            }
            String linePrev = prevOf(unhashed);
            if (!prev.equals(linePrev)) {
                return new Verification(lines.size(), n, "line " + n + " does not follow line " + (n - 1)
                        + " (a line was deleted, inserted or reordered before it)");
            }
            prev = hash;
        }
        return new Verification(lines.size(), 0, null);
    }

    private static String prevOf(String unhashed) {
        String key = ",\"prev\":\"";
        int i = unhashed.lastIndexOf(key);
        if (i < 0 || unhashed.length() < i + key.length() + 65) {
            return null;
        }
        return unhashed.substring(i + key.length(), i + key.length() + 64);
    }

    public List<String> readLines() throws IOException {
        List<String> out = new ArrayList<>();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] all = new byte[(int) raf.length()];
            raf.readFully(all);
            String text = new String(all, StandardCharsets.UTF_8);
            for (String l : text.split("\n", -1)) {
                if (!l.isEmpty()) {
                    out.add(l);
                }
            }
        } catch (java.io.FileNotFoundException e) {
            throw new NoSuchFileException(file.toString());
        }
        return out;
    }

    static String sha256(String s) {
        return Sha256.hex(s.getBytes(StandardCharsets.UTF_8));
    }
}

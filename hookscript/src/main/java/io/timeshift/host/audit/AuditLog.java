package io.timeshift.host.audit;

import io.timeshift.common.json.LightJson;

import io.timeshift.common.text.Sanitizer;

import io.timeshift.common.time.Instants;

import io.timeshift.host.io.AtomicFiles;
import io.timeshift.host.io.InProcessLocks;
import io.timeshift.host.io.Json;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.TimeShiftException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
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
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hash-chained audit log, {@code audit.jsonl}, and its anchor {@code audit.jsonl.anchor}.
 *
 * <p>Each line is a JSON object written as
 * {@code {"at":…,"actor":…,"vmid":…,"action":…,"details":{…},"prev":"<hash of previous line>","hash":"<h>"}}
 * where {@code h} is the SHA-256 hex of the line's bytes up to (not including) {@code ,"hash":}. The first
 * line's {@code prev} is 64 zeros. The chain alone proves that no line was edited, inserted or reordered, but
 * not that none was cut off the end: the anchor, one small JSON object beside the log
 * ({@code {"lines":N,"bytes":B,"hash":"<hash of line N>"}}), records where the log ended after each append.
 *
 * <p>Appends hold an exclusive flock on the log itself (and an in-process lock: the flock only serialises
 * processes), so two hooks running at once can neither interleave bytes nor both chain onto the same
 * predecessor; the anchor is replaced (temp file, fsync, rename) under the same lock. An append that fails
 * (disk full, I/O error) truncates the log back to where it was, so it never leaves half a line behind.
 *
 * <p>Readers stream the file: any size, lines of at most {@link #MAX_LINE} bytes (a longer one is reported,
 * never buffered). This class is on the hook path: no lambdas, no regex, no JCA.
 */
public final class AuditLog {
    public static final String GENESIS = "0".repeat(64);
    /** Longest line a reader looks at; an audit entry is a few hundred bytes. */
    public static final int MAX_LINE = 1 << 20;
    private static final String HASH_KEY = ",\"hash\":\"";
    private static final byte[] HASH_KEY_BYTES = HASH_KEY.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PREV_KEY_BYTES = ",\"prev\":\"".getBytes(StandardCharsets.US_ASCII);

    /** Opens the log: the seam where tests inject a failing disk. */
    interface Opener {
        /** For an append: created when missing, read and write. */
        FileChannel append(Path file) throws IOException;

        /** For a streaming read. */
        InputStream read(Path file) throws IOException;
    }

    private static final class PlainOpener implements Opener {
        @Override
        public FileChannel append(Path file) throws IOException {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }

        @Override
        public InputStream read(Path file) throws IOException {
            return Files.newInputStream(file);
        }
    }

    private static final Opener PLAIN = new PlainOpener();

    private final Path file;
    private final Clock clock;
    private final Opener opener;

    public AuditLog(Path file, Clock clock) {
        this(file, clock, PLAIN);
    }

    AuditLog(Path file, Clock clock, Opener opener) {
        this.file = file;
        this.clock = clock;
        this.opener = opener;
    }

    public Path file() {
        return file;
    }

    /** {@code audit.jsonl.anchor} beside the log. */
    public Path anchorFile() {
        return anchorOf(file);
    }

    static Path anchorOf(Path log) {
        return log.resolveSibling(log.getFileName() + ".anchor");
    }

    /**
     * {@link #append}, for admin commands whose change is already made: a failure to record it is a warning
     * for the command to print instead of failing.
     *
     * @return empty when the entry was recorded, else the one-line warning
     */
    public Optional<String> appendOrWarn(String actor, Integer vmid, String action, Map<String, Object> details) {
        try {
            append(actor, vmid, action, details);
            return Optional.empty();
        } catch (TimeShiftException e) {
            return Optional.of("warning: not recorded in the audit log: " + e.getMessage());
        }
    }

    /**
     * Appends one entry and moves the anchor to it; returns its hash. All or nothing: when the line or the
     * anchor cannot be written, the log is truncated back to its previous end and this throws.
     *
     * @throws EnvironmentException (exit 3) when the log cannot be written
     */
    public String append(String actor, Integer vmid, String action, Map<String, Object> details) {
        ReentrantLock threads = InProcessLocks.of(file); // the flock below only serialises processes
        threads.lock();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.isDirectory(file)) {
                throw new EnvironmentException("cannot append to audit log " + file + ": it is a directory;"
                        + " move it away (the log is a file)");
            }
            try (FileChannel ch = opener.append(file);
                 FileLock ignored = ch.lock()) {
                return appendLocked(ch, actor, vmid, action, details);
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
            return io.timeshift.common.text.Sanitizer.line(s);
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(io.timeshift.common.text.Sanitizer.value(String.valueOf(e.getKey())), safe(e.getValue()));
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

    private String appendLocked(FileChannel ch, String actor, Integer vmid, String action, Map<String, Object> details)
            throws IOException {
        long size = ch.size();
        Anchor anchor = Anchor.read(anchorFile());
        Tail tail;
        if (anchor != null && anchor.valid() && anchor.broken() == null && anchor.bytes() == size) {
            tail = Tail.anchored(anchor); // the usual case: no need to read the log
        } else {
            tail = Tail.scan(ch, size, anchor);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", io.timeshift.common.time.Instants.iso(clock.instant()));
        m.put("actor", actor);
        m.put("vmid", vmid);
        m.put("action", action);
        m.put("details", details == null ? Map.of() : safe(details));
        m.put("prev", tail.prev);
        String body = Json.compact(m);
        String unhashed = body.substring(0, body.length() - 1); // drop the closing brace
        String hash = sha256(unhashed);
        byte[] line = (tail.lead + unhashed + HASH_KEY + hash + "\"}\n").getBytes(StandardCharsets.UTF_8);
        long start = tail.writeAt;
        try {
            if (start < size) {
                ch.truncate(start); // a torn tail the anchor proves is no entry (a crash mid-append)
            }
            ByteBuffer buf = ByteBuffer.wrap(line);
            long end = start;
            while (buf.hasRemaining()) {
                end += ch.write(buf, end);
            }
            ch.force(false);
            long lines = tail.lines + 1;
            new Anchor(lines, end, hash, tail.broken).write(anchorFile());
            return hash;
        } catch (IOException | RuntimeException e) {
            String undo = rollBack(ch, start < size ? start : size);
            if (e instanceof EnvironmentException env) {
                throw new EnvironmentException(env.getMessage() + "; the entry was not recorded" + undo, e);
            }
            IOException io = e instanceof IOException x ? x : new IOException(e.getMessage(), e);
            throw new EnvironmentException(AtomicFiles.describe("cannot append to audit log", file, io)
                    + "; the entry was not recorded" + undo, e);
        }
    }

    /** Cuts the log back to {@code size} after a failed append; returns what to add to the message. */
    private String rollBack(FileChannel ch, long size) {
        try {
            if (ch.size() > size) {
                ch.truncate(size);
                ch.force(false);
            }
            return " (the log is unchanged)";
        } catch (IOException | RuntimeException e) {
            return " and the log could not be cut back to its last complete line (" + e.getMessage()
                    + "); time-shift audit --verify names the damaged line";
        }
    }

    /** Where the next line goes and what it chains onto. */
    private static final class Tail {
        String prev = GENESIS;
        long lines;
        long writeAt;
        String lead = "";
        String broken;

        static Tail anchored(Anchor a) {
            Tail t = new Tail();
            t.prev = a.hash();
            t.lines = a.lines();
            t.writeAt = a.bytes();
            return t;
        }

        /**
         * Reads the whole log (no usable anchor: first append after an upgrade, a crash between the line and
         * the anchor, or a log changed behind our back). A discrepancy no crash explains stays recorded in
         * the new anchor, so a later append cannot hide that lines were cut off.
         */
        static Tail scan(FileChannel ch, long size, Anchor anchor) throws IOException {
            Tail t = new Tail();
            Scanner s = new Scanner(anchor);
            LineReader.read(Channels.newInputStream(ch.position(0)), s);
            t.prev = s.lastHash;
            t.lines = s.complete;
            t.writeAt = size;
            boolean torn = s.tornBytes > 0;
            boolean anchorHolds = anchor != null && anchor.valid() && s.anchorSeen;
            if (anchor != null && anchor.broken() != null) {
                t.broken = anchor.broken();
            } else if (anchor != null && !anchorHolds) {
                t.broken = anchor.valid()
                        ? "the log no longer matches its anchor (which recorded " + anchor.lines() + " lines, "
                          + anchor.bytes() + " bytes, last hash " + anchor.hash() + "; the log had " + s.complete
                          + " lines, " + size + " bytes): lines were removed or rewritten"
                        : "the anchor was not valid when an entry was appended (" + anchor.problem() + ")";
            }
            if (torn) {
                if (anchorHolds && anchor.bytes() <= size - s.tornBytes) {
                    t.writeAt = size - s.tornBytes; // half a line after the anchored end: an interrupted append
                } else {
                    t.lead = "\n"; // keep it: verify names it
                    t.lines++;
                    if (s.tornHash != null) {
                        t.prev = s.tornHash;
                    }
                }
            }
            return t;
        }
    }

    /** What an append needs from a full read of the log. */
    private static final class Scanner implements LineReader.Visitor {
        private final Anchor anchor;
        String lastHash = GENESIS;
        long complete;
        long tornBytes;
        String tornHash;
        boolean anchorSeen;

        Scanner(Anchor anchor) {
            this.anchor = anchor;
        }

        @Override
        public void line(byte[] buf, int len, long number, long start, long end, boolean overlong, boolean terminated) {
            String h = overlong ? null : hashOf(buf, len);
            if (!terminated) {
                tornBytes = end - start;
                tornHash = h;
                return;
            }
            complete = number;
            if (h != null) {
                lastHash = h;
            }
            if (anchor != null && anchor.valid() && anchor.bytes() == end && anchor.lines() == number
                    && anchor.hash().equals(h)) {
                anchorSeen = true;
            }
        }
    }

    // ------------------------------------------------------------------ reading

    /**
     * The hash of a line that has the entry's shape ({@code …,"hash":"<64 lowercase hex>"}} at its end), or
     * null.
     */
    static String hashOf(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return hashOf(b, b.length);
    }

    static String hashOf(byte[] b, int len) {
        int at = hashKeyAt(b, len);
        if (at < 0) {
            return null;
        }
        int from = at + HASH_KEY_BYTES.length;
        return new String(b, from, 64, StandardCharsets.US_ASCII);
    }

    /** Offset of {@code ,"hash":"} when the line ends in {@code ,"hash":"<64 hex>"}} and has a prev field. */
    private static int hashKeyAt(byte[] b, int len) {
        int at = len - 2 - 64 - HASH_KEY_BYTES.length;
        if (at < 0 || b[len - 1] != '}' || b[len - 2] != '"' || !startsWith(b, at, HASH_KEY_BYTES)) {
            return -1;
        }
        if (!isHex(b, at + HASH_KEY_BYTES.length, 64)) {
            return -1;
        }
        return at;
    }

    /** The {@code prev} of an entry's unhashed part ({@code …,"prev":"<64 hex>"}), or null. */
    private static String prevOf(byte[] b, int unhashedLen) {
        int at = unhashedLen - 1 - 64 - PREV_KEY_BYTES.length;
        if (at < 0 || b[unhashedLen - 1] != '"' || !startsWith(b, at, PREV_KEY_BYTES)
                || !isHex(b, at + PREV_KEY_BYTES.length, 64)) {
            return null;
        }
        return new String(b, at + PREV_KEY_BYTES.length, 64, StandardCharsets.US_ASCII);
    }

    private static boolean startsWith(byte[] b, int at, byte[] key) {
        for (int i = 0; i < key.length; i++) {
            if (b[at + i] != key[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(byte[] b, int from, int n) {
        for (int i = from; i < from + n; i++) {
            byte c = b[i];
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Result of {@link #verify()}.
     *
     * @param lines        lines in the log
     * @param firstBadLine the first bad line (1-based), or 0 when the problem is not one line (or none)
     * @param problem      what is wrong, one line, or null when the log checks out
     * @param lastHash     hash of the last line checked good (64 zeros for an empty log)
     * @param anchor       what the anchor says, one line ({@code 12 lines, 3456 bytes, last hash …}), or why
     *                     there is none
     * @param note         something worth saying about a good log (lines after the anchor), or null
     */
    public record Verification(long lines, long firstBadLine, String problem, String lastHash, String anchor,
                               String note) {
        public boolean ok() {
            return problem == null;
        }
    }

    /**
     * Checks every line's hash and its link to the previous line, and the end of the log against the anchor:
     * detects edits, insertions, deletions (the last lines too), reordering and an emptied log.
     *
     * @throws EnvironmentException (exit 3) when the log is a directory or cannot be read
     */
    public Verification verify() {
        Anchor anchor = Anchor.read(anchorFile());
        String anchorText = anchor == null ? "no anchor file " + anchorFile() : anchor.describe();
        if (!Files.exists(file)) {
            if (anchor == null) {
                return new Verification(0, 0, null, GENESIS, anchorText, null);
            }
            if (!anchor.valid()) {
                return new Verification(0, 0, "the log is missing and its anchor " + anchorFile() + " is not valid ("
                        + anchor.problem() + ")", GENESIS, anchorText, null);
            }
            if (anchor.lines() > 0) {
                return new Verification(0, 1, "the log is missing but its anchor records " + anchor.lines()
                        + " lines (last hash " + anchor.hash() + "): it was deleted", GENESIS, anchorText, null);
            }
        }
        Checker c = new Checker(anchor);
        try (InputStream in = openForReading()) {
            LineReader.read(in, c);
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot read audit log", file, e), e);
        }
        return c.result(anchorText);
    }

    /** Opens the log for a streaming read; a directory or unreadable file is exit 3 naming it. */
    private InputStream openForReading() throws IOException {
        if (Files.isDirectory(file)) {
            throw new EnvironmentException("cannot read audit log " + file + ": it is a directory, not the log;"
                    + " move it away");
        }
        try {
            return opener.read(file);
        } catch (NoSuchFileException e) {
            return InputStream.nullInputStream();
        }
    }

    private final class Checker implements LineReader.Visitor {
        private final Anchor anchor;
        private String prev = GENESIS;
        private long lines;
        private long firstBad;
        private String problem;
        private boolean anchorSeen;

        Checker(Anchor anchor) {
            this.anchor = anchor;
        }

        @Override
        public void line(byte[] buf, int len, long number, long start, long end, boolean overlong, boolean terminated) {
            lines = number;
            if (problem != null) {
                return;
            }
            String why = check(buf, len, number, overlong, terminated);
            if (why != null) {
                firstBad = number;
                problem = "line " + number + " " + why;
                return;
            }
            if (anchor != null && anchor.valid() && anchor.lines() == number) {
                if (!anchor.hash().equals(prev)) {
                    firstBad = number;
                    problem = "line " + number + " is not the line the anchor recorded (hash " + prev
                            + ", anchor " + anchor.hash() + "): the log was rewritten";
                } else if (anchor.bytes() != end) {
                    firstBad = number;
                    problem = "the log up to line " + number + " is " + end + " bytes but the anchor recorded "
                            + anchor.bytes() + ": the log was rewritten";
                } else {
                    anchorSeen = true;
                }
            }
        }

        /** Why the line is bad (after "line N "), or null; advances the chain when good. */
        private String check(byte[] buf, int len, long number, boolean overlong, boolean terminated) {
            if (overlong) {
                return "is longer than " + MAX_LINE + " bytes: not an audit entry (edited or foreign data)";
            }
            if (!terminated) {
                return "is not a complete audit entry (no newline at its end: truncated, or an interrupted append)";
            }
            int at = hashKeyAt(buf, len);
            if (at < 0) {
                return len == 0 ? "is empty: not an audit entry (edited)"
                        : "is not a complete audit entry (truncated or edited)";
            }
            String hash = new String(buf, at + HASH_KEY_BYTES.length, 64, StandardCharsets.US_ASCII);
            byte[] unhashed = java.util.Arrays.copyOf(buf, at);
            if (!Sha256.hex(unhashed).equals(hash)) {
                return "was modified (its hash does not match its content)";
            }
            String linePrev = prevOf(buf, at);
            if (!prev.equals(linePrev)) {
                return number == 1 ? "does not start the chain (its prev is not 64 zeros: lines before it were"
                        + " deleted, or it was inserted)"
                        : "does not follow line " + (number - 1) + " (a line was deleted, inserted or reordered before it)";
            }
            prev = hash;
            return null;
        }

        Verification result(String anchorText) {
            if (problem != null) {
                return new Verification(lines, firstBad, problem, prev, anchorText, null);
            }
            if (anchor == null) {
                if (lines == 0) {
                    return new Verification(0, 0, null, GENESIS, anchorText, null);
                }
                return new Verification(lines, 0, "no anchor " + anchorFile() + " beside a log of " + lines
                        + " lines: whether lines were cut off the end cannot be checked (deleted, or the log predates"
                        + " anchors: the next entry writes it)", prev, anchorText, null);
            }
            if (!anchor.valid()) {
                return new Verification(lines, 0, "the anchor " + anchorFile() + " is not valid (" + anchor.problem()
                        + "): whether lines were cut off the end cannot be checked", prev, anchorText, null);
            }
            if (anchor.broken() != null) {
                return new Verification(lines, 0, anchor.broken(), prev, anchorText, null);
            }
            if (lines < anchor.lines()) {
                return new Verification(lines, lines + 1, (lines == 0 ? "the log is empty" : "the log ends after line "
                        + lines) + " but its anchor records " + anchor.lines() + " lines (last hash " + anchor.hash()
                        + "): lines were deleted from the end", prev, anchorText, null);
            }
            if (anchor.lines() == 0 && lines == 0) {
                return new Verification(0, 0, null, GENESIS, anchorText, null);
            }
            if (!anchorSeen) {
                return new Verification(lines, 0, "the log does not pass through its anchor (" + anchor.describe()
                        + "): the log was rewritten", prev, anchorText, null);
            }
            String note = lines > anchor.lines() ? (lines - anchor.lines()) + " line(s) after the anchor, correctly"
                    + " chained (an append was interrupted before it moved the anchor; the next entry moves it)" : null;
            return new Verification(lines, 0, null, prev, anchorText, note);
        }
    }

    /** Calls {@code visitor} for every line of the log (streaming; see {@link LineReader}). */
    public void forEachLine(LineReader.Visitor visitor) throws IOException {
        try (InputStream in = openForReading()) {
            LineReader.read(in, visitor);
        }
    }

    /** Every line as text (for tests and small logs; lines longer than {@link #MAX_LINE} are cut). */
    public List<String> readLines() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        forEachLine(new Collect(out));
        return out;
    }

    private static final class Collect implements LineReader.Visitor {
        private final List<String> out;

        Collect(List<String> out) {
            this.out = out;
        }

        @Override
        public void line(byte[] buf, int len, long number, long start, long end, boolean overlong, boolean terminated) {
            out.add(new String(buf, 0, len, StandardCharsets.UTF_8));
        }
    }

    static String sha256(String s) {
        return Sha256.hex(s.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ anchor

    /**
     * The anchor file's content. {@code problem} is set (and the rest meaningless) when the file exists but
     * is not a valid anchor; {@code broken} records a discrepancy an append found and could not explain.
     */
    record Anchor(long lines, long bytes, String hash, String broken, String problem) {
        Anchor(long lines, long bytes, String hash, String broken) {
            this(lines, bytes, hash, broken, null);
        }

        boolean valid() {
            return problem == null;
        }

        String describe() {
            if (!valid()) {
                return "anchor not valid: " + problem;
            }
            return lines + " lines, " + bytes + " bytes, last hash " + hash;
        }

        /** The anchor beside a log, or null when there is none. */
        static Anchor read(Path path) {
            byte[] raw;
            try {
                if (Files.isDirectory(path)) {
                    return invalid("it is a directory");
                }
                if (Files.size(path) > 64 * 1024) {
                    return invalid("larger than 64 KiB");
                }
                raw = Files.readAllBytes(path);
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                return invalid(AtomicFiles.describe("cannot read", path, e));
            }
            Map<String, Object> m;
            try {
                m = Json.parseObject(new String(raw, StandardCharsets.UTF_8), path.toString());
            } catch (TimeShiftException e) {
                return invalid("not a JSON object");
            }
            Object lines = m.get("lines");
            Object bytes = m.get("bytes");
            Object hash = m.get("hash");
            Object broken = m.get("broken");
            if (!(lines instanceof Long l) || l < 0 || !(bytes instanceof Long b) || b < 0
                    || !(hash instanceof String h) || h.length() != 64
                    || !isHex(h.getBytes(StandardCharsets.ISO_8859_1), 0, 64)
                    || (broken != null && !(broken instanceof String))) {
                return invalid("expected {\"lines\":N,\"bytes\":N,\"hash\":\"<64 hex>\"}");
            }
            return new Anchor(l, b, h, (String) broken, null);
        }

        private static Anchor invalid(String why) {
            return new Anchor(0, 0, GENESIS, null, why);
        }

        /**
         * Replaces the anchor: temp file beside it, write, fsync, rename (under the log's lock, so one writer
         * at a time and a fixed temp name). The directory is not fsynced: after a crash an older anchor is
         * a state verify and the next append understand (lines after the anchor), and it saves the hook an fsync.
         */
        void write(Path path) throws IOException {
            StringBuilder b = new StringBuilder(128).append("{\"lines\":").append(lines).append(",\"bytes\":")
                    .append(bytes).append(",\"hash\":\"").append(hash).append('"');
            if (broken != null) {
                b.append(",\"broken\":");
                io.timeshift.common.json.LightJson.writeString(b, broken);
            }
            b.append("}\n");
            Path tmp = path.resolveSibling("." + path.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(false);
            } catch (IOException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

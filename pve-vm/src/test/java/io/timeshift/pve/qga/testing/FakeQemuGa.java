package io.timeshift.pve.qga.testing;

import io.timeshift.testsupport.FakeMonotonic;

import io.timeshift.common.json.LightJson;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.pve.qga.QgaConnection;
import io.timeshift.pve.qga.QgaConnector;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Emulates qemu-ga behind the {@code <vmid>.qga} socket, at the {@link QgaConnector} seam. Like qemu-ga
 * it answers every complete JSON line as it arrives: {@code guest-sync-delimited {id}} with
 * {@code 0xFF {"return": id}\n} (qga/main.c send_response), a command with its reply and {@code \n}; so
 * both the one-write frame and the late-argument exchange (command sent after the sync reply) work.
 *
 * <p>The guest clock runs at host rate: guest time = {@code hostClock} + an offset that
 * {@code guest-set-time} changes (plus {@link #setTimeSkew}, the error a real set would have). Scripted
 * behaviour: {@link #neverAnswer} (socket accepts, qemu-ga silent: reads wait out the caller's whole
 * timeout on the fake monotonic clock), {@link #vmStopped} (no socket), {@link #failCommand},
 * {@link #onExec}, {@link #jumpAtGetTime} (something in the guest steps its clock).
 *
 * <p>Thread-safe; every request is recorded ({@link #requests()}, {@link #frames()}).
 */
public final class FakeQemuGa implements QgaConnector {
    /** One command the client sent: name, arguments (null when none) and the whole frame as written. */
    public record Request(String command, Map<String, Object> arguments, String frame) {
    }

    /** What a scripted guest command "printed" and how it exited. */
    public record ExecReply(int exitCode, String out, String err) {
        public static ExecReply ok(String out) {
            return new ExecReply(0, out, "");
        }

        /** The program does not exist: guest-exec itself fails, as GLib's spawn does. */
        public static ExecReply cannotStart() {
            return null;
        }
    }

    private final Clock hostClock;
    private final FakeMonotonic mono;
    private final AtomicLong syncIds = new AtomicLong(1001);
    private final List<Request> requests = new ArrayList<>();
    private final List<Long> syncs = new ArrayList<>();
    private final Map<String, String> failures = new HashMap<>();
    private final Map<Long, ExecReply> execs = new HashMap<>();
    private final List<List<String>> execCommands = new ArrayList<>();
    private final Map<Long, ByteArrayOutputStream> openFiles = new HashMap<>();
    private final Map<Long, String> openPaths = new HashMap<>();
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final TreeMap<Integer, Duration> jumps = new TreeMap<>();
    private BiFunction<String, List<String>, ExecReply> execHandler = (path, args) -> ExecReply.ok("");
    private long guestOffsetNs;
    private Object timezoneReply;
    private long setSkewNs;
    private boolean answering = true;
    private boolean socketPresent = true;
    private int getTimeCalls;
    private final Map<String, byte[]> rawReplies = new HashMap<>();
    private Long fixedGetTime;
    private Map<String, Object> osInfo;
    private long nextPid = 2000;
    private long nextHandle = 1;
    private final java.util.Set<String> blocked = new java.util.HashSet<>();
    private boolean hwclock = true;
    private boolean rtcWritable = true;
    private boolean frozen;

    public FakeQemuGa(Clock hostClock, FakeMonotonic mono) {
        this.hostClock = hostClock;
        this.mono = mono;
    }

    /** A client over this fake: sequential sync ids, the fake monotonic clock, polls that only advance it. */
    public QgaClient client(int vmid) {
        return new QgaClient(vmid, this, mono, syncIds::getAndIncrement, QgaClient.DEFAULT_TIMEOUT, mono::advance);
    }

    // ---------------------------------------------------------------- scripting

    public synchronized FakeQemuGa guestTime(Instant t) {
        guestOffsetNs = nanos(t) - nanos(hostClock.instant());
        return this;
    }

    public synchronized Instant guestNow() {
        return fromNanos(nanos(hostClock.instant()) + guestOffsetNs);
    }

    /** Every guest-set-time lands this far from the requested time (a real guest's set error). */
    public synchronized FakeQemuGa setTimeSkew(Duration skew) {
        setSkewNs = skew.toNanos();
        return this;
    }

    /** The socket accepts and takes the request, but nothing ever answers (qemu-ga not running). */
    public synchronized FakeQemuGa neverAnswer() {
        answering = false;
        return this;
    }

    public synchronized FakeQemuGa answer() {
        answering = true;
        return this;
    }

    /** No socket: the VM is not running. */
    public synchronized FakeQemuGa vmStopped() {
        socketPresent = false;
        return this;
    }

    /** What guest-get-timezone returns (its "return" value; default {"zone":"UTC","offset":0}). */
    public synchronized FakeQemuGa timezone(Object reply) {
        timezoneReply = reply;
        return this;
    }

    /** {@code command} answers {@code {"error":{"class":"GenericError","desc":desc}}} from now on. */
    public synchronized FakeQemuGa failCommand(String command, String desc) {
        failures.put(command, desc);
        return this;
    }

    /**
     * qemu-ga runs with {@code --block-rpcs}: these commands answer CommandNotFound "Command X has been
     * disabled" (qemu-ga 7.2, qapi/qmp-dispatch.c; docs/qga-errors.md).
     */
    public synchronized FakeQemuGa blockRpcs(String... commands) {
        blocked.addAll(List.of(commands));
        return this;
    }

    /**
     * Whether the guest has {@code /sbin/hwclock}. Without it, qemu-ga 7.2 refuses guest-set-time with
     * QERR_UNSUPPORTED before touching the clock (docs/qga-errors.md).
     */
    public synchronized FakeQemuGa hwclock(boolean present) {
        hwclock = present;
        return this;
    }

    /**
     * The guest's filesystems are frozen ({@code guest-fsfreeze-freeze} on a guest that has some, e.g. during a
     * snapshot backup): until {@code guest-fsfreeze-thaw}, every command but qga/main.c's allowlist answers
     * CommandNotFound "Command X has been disabled: the agent is in frozen state" (qemu-ga 7.2, up to 9.0). Not
     * checked against the real agent: the test VM has nothing to freeze (docs/qga-errors.md).
     */
    public synchronized FakeQemuGa frozenFilesystems() {
        frozen = true;
        return this;
    }

    /**
     * Whether {@code hwclock -w} can write the guest's RTC. When it cannot, qemu-ga 7.2 has already set the
     * system time and then answers "hwclock failed to set hardware clock to system time" (docs/qga-errors.md).
     */
    public synchronized FakeQemuGa rtcWritable(boolean writable) {
        rtcWritable = writable;
        return this;
    }

    /** Undoes {@link #blockRpcs}, {@link #hwclock}, {@link #rtcWritable} and {@link #frozenFilesystems}. */
    public synchronized FakeQemuGa restore() {
        blocked.clear();
        hwclock = true;
        rtcWritable = true;
        frozen = false;
        return this;
    }

    /** What guest-exec'd commands print and exit with; (path, argv) → reply. Default: exit 0, no output. */
    public synchronized FakeQemuGa onExec(BiFunction<String, List<String>, ExecReply> handler) {
        execHandler = handler;
        return this;
    }

    /** Just before answering the n-th guest-get-time (1-based, counted over the fake's life), step the guest clock. */
    public synchronized FakeQemuGa jumpAtGetTime(int n, Duration jump) {
        jumps.put(n, jump);
        return this;
    }

    // ---------------------------------------------------------------- what happened

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    public synchronized List<Request> requests(String command) {
        return requests.stream().filter(r -> r.command().equals(command)).toList();
    }

    /** Ids of the guest-sync-delimited requests answered, in order (one per exchange). */
    public synchronized List<Long> syncIds() {
        return List.copyOf(syncs);
    }

    public synchronized List<String> frames() {
        return requests.stream().map(Request::frame).toList();
    }

    /** argv of every guest-exec, path first. */
    public synchronized List<List<String>> execs() {
        return List.copyOf(execCommands);
    }

    /** Guest files written (and closed) through guest-file-*. */
    public synchronized Map<String, byte[]> files() {
        return Map.copyOf(files);
    }

    public synchronized int getTimeCalls() {
        return getTimeCalls;
    }

    // ---------------------------------------------------------------- the connector

    @Override
    public QgaConnection open() throws IOException {
        synchronized (this) {
            if (!socketPresent) {
                throw new NoSuchFileException("/var/run/qemu-server/fake.qga");
            }
        }
        return new Connection();
    }

    private final class Connection implements QgaConnection {
        private final ByteArrayOutputStream unparsed = new ByteArrayOutputStream();
        private final ByteArrayOutputStream replies = new ByteArrayOutputStream();
        private ByteBuffer pending = ByteBuffer.allocate(0);
        private boolean synced;
        private boolean closed;

        /** Like qemu-ga, answers every complete line as it arrives (the client may send the command after the sync reply). */
        @Override
        public void write(byte[] bytes) throws IOException {
            if (closed) {
                throw new IOException("closed");
            }
            unparsed.write(bytes);
            String text = unparsed.toString(StandardCharsets.UTF_8);
            int nl;
            while ((nl = text.indexOf('\n')) >= 0) {
                String line = text.substring(0, nl);
                if (line.contains("\"guest-sync-delimited\"")) {
                    synced = true;
                } else if (!line.isBlank() && !synced) {
                    throw new IOException("fake qemu-ga: command without a guest-sync-delimited first: " + line);
                }
                byte[] reply = handleLine(line);
                if (reply != null) {
                    replies.write(reply);
                }
                text = text.substring(nl + 1);
            }
            unparsed.reset();
            unparsed.write(text.getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream unread = new ByteArrayOutputStream();
            while (pending.hasRemaining()) {
                unread.write(pending.get());
            }
            unread.write(replies.toByteArray());
            replies.reset();
            pending = ByteBuffer.wrap(unread.toByteArray());
        }

        @Override
        public int read(ByteBuffer dst, long timeoutNanos) {
            if (!pending.hasRemaining()) {
                mono.advance(timeoutNanos); // nothing will come: the caller's deadline passes
                return 0;
            }
            int n = Math.min(dst.remaining(), pending.remaining());
            for (int i = 0; i < n; i++) {
                dst.put(pending.get());
            }
            return n;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    // ---------------------------------------------------------------- a hostile guest

    /** {@code command} is answered with exactly these bytes (a raw NUL, half a reply, megabytes) from now on. */
    public synchronized FakeQemuGa rawReply(String command, byte[] bytes) {
        rawReplies.put(command, bytes.clone());
        return this;
    }

    /** guest-get-time answers {@code ns} whatever the clock says (e.g. Long.MIN_VALUE, Long.MAX_VALUE). */
    public synchronized FakeQemuGa getTimeAnswers(long ns) {
        fixedGetTime = ns;
        return this;
    }

    /** guest-get-osinfo answers these fields (strings with NUL, ESC, newlines, megabytes of text). */
    public synchronized FakeQemuGa osInfo(Map<String, Object> fields) {
        osInfo = new LinkedHashMap<>(fields);
        return this;
    }

    /** An OS name with a NUL, an ESC sequence and a newline, and a 1 MiB pretty-name: what a hostile guest reports. */
    public static Map<String, Object> hostileOsInfo() {
        Map<String, Object> os = new LinkedHashMap<>();
        os.put("id", "deb\u0000ian");
        os.put("name", "x\u001b[2J\nroot# ");
        os.put("pretty-name", "P".repeat(1 << 20));
        return os;
    }

    // ---------------------------------------------------------------- qemu-ga

    @SuppressWarnings("unchecked")
    private synchronized byte[] handleLine(String line) throws IOException {
        if (line.isBlank()) {
            return null;
        }
        Map<String, Object> msg = (Map<String, Object>) LightJson.parsePlain(line);
        String name = (String) msg.get("execute");
        Map<String, Object> args = (Map<String, Object>) msg.get("arguments");
        if (!answering) {
            if (!"guest-sync-delimited".equals(name)) {
                requests.add(new Request(name, args, line));
            }
            return null;
        }
        if ("guest-sync-delimited".equals(name)) {
            long id = ((Number) args.get("id")).longValue();
            syncs.add(id);
            return ("\u00ff{\"return\": " + id + "}\n").getBytes(StandardCharsets.ISO_8859_1);
        }
        requests.add(new Request(name, args, line));
        byte[] raw = rawReplies.get(name);
        if (raw != null) {
            return raw.clone();
        }
        Object reply;
        String failure = failures.get(name);
        if (frozen && !FREEZE_ALLOWED.contains(name)) {
            reply = error("CommandNotFound", "Command " + name + " has been disabled: the agent is in frozen state");
        } else if (blocked.contains(name)) {
            reply = error("CommandNotFound", "Command " + name + " has been disabled");
        } else if (failure != null) {
            reply = error("GenericError", failure);
        } else {
            reply = answer(name, args == null ? Map.of() : args);
        }
        StringBuilder sb = new StringBuilder();
        writeQemuJson(sb, reply);
        return sb.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** What qemu-ga 7.2 still answers while frozen (qga/main.c ga_freeze_allowlist). */
    private static final List<String> FREEZE_ALLOWED = List.of("guest-ping", "guest-info", "guest-sync",
            "guest-sync-delimited", "guest-fsfreeze-status", "guest-fsfreeze-thaw");

    /** JSON as QEMU writes it (qobject/qjson.c): {@code ": "} after a key, {@code ", "} between members. */
    @SuppressWarnings("unchecked")
    private static void writeQemuJson(StringBuilder sb, Object v) {
        if (v instanceof Map<?, ?> m) {
            sb.append('{');
            String sep = "";
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                sb.append(sep).append(LightJson.compact(e.getKey())).append(": ");
                writeQemuJson(sb, e.getValue());
                sep = ", ";
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            String sep = "";
            for (Object o : l) {
                sb.append(sep);
                writeQemuJson(sb, o);
                sep = ", ";
            }
            sb.append(']');
        } else {
            sb.append(LightJson.compact(v));
        }
    }

    @SuppressWarnings("unchecked")
    private Object answer(String name, Map<String, Object> args) {
        long hostNs = nanos(hostClock.instant());
        switch (name) {
            case "guest-ping":
                return ok(Map.of());
            case "guest-get-time": {
                getTimeCalls++;
                if (fixedGetTime != null) {
                    return ok(fixedGetTime);
                }
                Duration jump = jumps.get(getTimeCalls);
                if (jump != null) {
                    guestOffsetNs += jump.toNanos();
                }
                return ok(hostNs + guestOffsetNs);
            }
            case "guest-set-time": {
                if (!hwclock) {
                    return error("GenericError", "this feature or command is not currently supported");
                }
                Object t = args.get("time");
                if (t == null) {
                    return ok(Map.of()); // hwclock -s: keeps the guest's RTC view; nothing to model
                }
                long ns = ((Number) t).longValue();
                int year = fromNanos(ns).atZone(ZoneOffset.UTC).getYear();
                if (year < 1970 || year >= 2070) {
                    return error("GenericError", "Invalid time"); // qga commands-posix.c range check
                }
                guestOffsetNs = ns + setSkewNs - hostNs;
                if (!rtcWritable) {
                    return error("GenericError", "hwclock failed to set hardware clock to system time");
                }
                return ok(Map.of());
            }
            case "guest-get-osinfo": {
                if (osInfo != null) {
                    return ok(osInfo);
                }
                Map<String, Object> os = new LinkedHashMap<>();
                os.put("id", "debian");
                os.put("name", "Debian GNU/Linux");
                os.put("pretty-name", "Debian GNU/Linux 12 (bookworm)");
                os.put("version", "12 (bookworm)");
                os.put("version-id", "12");
                os.put("kernel-release", "6.1.0-18-amd64");
                os.put("machine", "x86_64");
                return ok(os);
            }
            case "guest-get-timezone": {
                if (timezoneReply != null) {
                    return ok(timezoneReply);
                }
                Map<String, Object> tz = new LinkedHashMap<>();
                tz.put("zone", "UTC");
                tz.put("offset", 0);
                return ok(tz);
            }
            case "guest-exec": {
                String path = (String) args.get("path");
                List<String> argv = args.get("arg") == null ? List.of() : (List<String>) args.get("arg");
                List<String> all = new ArrayList<>();
                all.add(path);
                all.addAll(argv);
                execCommands.add(List.copyOf(all));
                ExecReply r = execHandler.apply(path, List.copyOf(argv));
                if (r == null) {
                    return error("GenericError", "Guest agent command failed, error was 'Failed to execute child process"
                            + " \u201c" + path + "\u201d (No such file or directory)'");
                }
                long pid = nextPid++;
                execs.put(pid, r);
                return ok(Map.of("pid", pid));
            }
            case "guest-exec-status": {
                long pid = ((Number) args.get("pid")).longValue();
                ExecReply r = execs.remove(pid); // qga frees the entry once it reported exited:true
                if (r == null) {
                    return error("GenericError", "Invalid parameter 'pid'");
                }
                // as qemu-ga 7.2 orders them; empty output is left out, not sent as ""
                Map<String, Object> st = new LinkedHashMap<>();
                st.put("exitcode", r.exitCode());
                if (!r.out().isEmpty()) {
                    st.put("out-data", Base64.getEncoder().encodeToString(r.out().getBytes(StandardCharsets.UTF_8)));
                    st.put("out-truncated", false);
                }
                if (!r.err().isEmpty()) {
                    st.put("err-data", Base64.getEncoder().encodeToString(r.err().getBytes(StandardCharsets.UTF_8)));
                    st.put("err-truncated", false);
                }
                st.put("exited", true);
                return ok(st);
            }
            case "guest-file-open": {
                long h = nextHandle++;
                String path = (String) args.get("path");
                openPaths.put(h, path);
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                String mode = String.valueOf(args.getOrDefault("mode", "r"));
                if (mode.startsWith("a") && files.containsKey(path)) {
                    buf.writeBytes(files.get(path));
                }
                openFiles.put(h, buf);
                return ok(h);
            }
            case "guest-file-write": {
                long h = ((Number) args.get("handle")).longValue();
                ByteArrayOutputStream buf = openFiles.get(h);
                if (buf == null) {
                    return error("GenericError", "handle '" + h + "' has not been found");
                }
                byte[] data = Base64.getDecoder().decode((String) args.get("buf-b64"));
                buf.writeBytes(data);
                return ok(Map.of("count", data.length, "eof", false));
            }
            case "guest-file-close": {
                long h = ((Number) args.get("handle")).longValue();
                ByteArrayOutputStream buf = openFiles.remove(h);
                if (buf == null) {
                    return error("GenericError", "handle '" + h + "' has not been found");
                }
                files.put(openPaths.remove(h), buf.toByteArray());
                return ok(Map.of());
            }
            case "guest-fsfreeze-freeze":
                // a guest with no freezable filesystem, like the test VM's initramfs: qemu-ga 7.2 answers 0
                // and stays thawed (RealQemuGaContractTest); see frozenFilesystems() for one that has some
                return ok(0);
            case "guest-fsfreeze-thaw": {
                int thawed = frozen ? 1 : 0;
                frozen = false;
                return ok(thawed);
            }
            case "guest-fsfreeze-status":
                return ok(frozen ? "frozen" : "thawed");
            default:
                return error("CommandNotFound", "The command " + name + " has not been found");
        }
    }

    private static Map<String, Object> ok(Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("return", value);
        return m;
    }

    private static Map<String, Object> error(String cls, String desc) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("class", cls);
        e.put("desc", desc);
        return Map.of("error", e);
    }

    public static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    public static Instant fromNanos(long ns) {
        return Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
    }
}

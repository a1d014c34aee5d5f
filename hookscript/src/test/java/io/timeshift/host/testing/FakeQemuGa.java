package io.timeshift.host.testing;

import com.fasterxml.jackson.jr.ob.JSON;
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
 * Emulates qemu-ga behind the {@code <vmid>.qga} socket, at the {@link QgaConnector} seam. Each
 * connection takes one frame as {@link QgaClient} writes it ({@code guest-sync-delimited {id}} line +
 * command line), parses both, and answers as qga/main.c does: {@code 0xFF {"return":id}\n} then the
 * command's reply and {@code \n}.
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
    }

    private final Clock hostClock;
    private final FakeMonotonic mono;
    private final AtomicLong syncIds = new AtomicLong(1001);
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, String> failures = new HashMap<>();
    private final Map<Long, ExecReply> execs = new HashMap<>();
    private final List<List<String>> execCommands = new ArrayList<>();
    private final Map<Long, ByteArrayOutputStream> openFiles = new HashMap<>();
    private final Map<Long, String> openPaths = new HashMap<>();
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final TreeMap<Integer, Duration> jumps = new TreeMap<>();
    private BiFunction<String, List<String>, ExecReply> execHandler = (path, args) -> ExecReply.ok("");
    private long guestOffsetNs;
    private long setSkewNs;
    private boolean answering = true;
    private boolean socketPresent = true;
    private int getTimeCalls;
    private long nextPid = 2000;
    private long nextHandle = 1;

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

    /** {@code command} answers {@code {"error":{"class":"GenericError","desc":desc}}} from now on. */
    public synchronized FakeQemuGa failCommand(String command, String desc) {
        failures.put(command, desc);
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
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();
        private ByteBuffer pending;
        private boolean closed;

        @Override
        public void write(byte[] bytes) throws IOException {
            if (closed) {
                throw new IOException("closed");
            }
            written.write(bytes);
            String text = written.toString(StandardCharsets.UTF_8);
            if (text.chars().filter(c -> c == '\n').count() >= 2) {
                byte[] reply = handleFrame(text);
                pending = reply == null ? null : ByteBuffer.wrap(reply);
            }
        }

        @Override
        public int read(ByteBuffer dst, long timeoutNanos) {
            if (pending == null || !pending.hasRemaining()) {
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

    // ---------------------------------------------------------------- qemu-ga

    @SuppressWarnings("unchecked")
    private synchronized byte[] handleFrame(String text) throws IOException {
        String[] lines = text.split("\n");
        Map<String, Object> sync = JSON.std.mapFrom(lines[0]);
        if (!"guest-sync-delimited".equals(sync.get("execute"))) {
            throw new IllegalStateException("frame does not start with guest-sync-delimited: " + text);
        }
        long id = ((Number) ((Map<String, Object>) sync.get("arguments")).get("id")).longValue();
        Map<String, Object> cmd = JSON.std.mapFrom(lines[1]);
        String name = (String) cmd.get("execute");
        Map<String, Object> args = (Map<String, Object>) cmd.get("arguments");
        requests.add(new Request(name, args, lines[1]));
        if (!answering) {
            return null;
        }
        Object reply;
        String failure = failures.get(name);
        if (failure != null) {
            reply = error("GenericError", failure);
        } else {
            reply = answer(name, args == null ? Map.of() : args);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xFF);
        out.write(("{\"return\": " + id + "}\n").getBytes(StandardCharsets.UTF_8));
        out.write(JSON.std.asString(reply).getBytes(StandardCharsets.UTF_8));
        out.write('\n');
        return out.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private Object answer(String name, Map<String, Object> args) {
        long hostNs = nanos(hostClock.instant());
        switch (name) {
            case "guest-ping":
                return ok(Map.of());
            case "guest-get-time": {
                getTimeCalls++;
                Duration jump = jumps.get(getTimeCalls);
                if (jump != null) {
                    guestOffsetNs += jump.toNanos();
                }
                return ok(hostNs + guestOffsetNs);
            }
            case "guest-set-time": {
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
                return ok(Map.of());
            }
            case "guest-get-osinfo": {
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
            case "guest-exec": {
                String path = (String) args.get("path");
                List<String> argv = args.get("arg") == null ? List.of() : (List<String>) args.get("arg");
                List<String> all = new ArrayList<>();
                all.add(path);
                all.addAll(argv);
                execCommands.add(List.copyOf(all));
                long pid = nextPid++;
                execs.put(pid, execHandler.apply(path, List.copyOf(argv)));
                return ok(Map.of("pid", pid));
            }
            case "guest-exec-status": {
                long pid = ((Number) args.get("pid")).longValue();
                ExecReply r = execs.remove(pid); // qga frees the entry once it reported exited:true
                if (r == null) {
                    return error("GenericError", "Invalid parameter 'pid'");
                }
                Map<String, Object> st = new LinkedHashMap<>();
                st.put("exited", true);
                st.put("exitcode", r.exitCode());
                st.put("out-data", Base64.getEncoder().encodeToString(r.out().getBytes(StandardCharsets.UTF_8)));
                st.put("err-data", Base64.getEncoder().encodeToString(r.err().getBytes(StandardCharsets.UTF_8)));
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
        return Map.of("error", Map.of("class", cls, "desc", desc));
    }

    public static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    public static Instant fromNanos(long ns) {
        return Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
    }
}

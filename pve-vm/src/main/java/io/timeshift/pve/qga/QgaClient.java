package io.timeshift.pve.qga;

import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.json.LightJson;
import io.timeshift.common.text.Sanitizer;
import io.timeshift.common.time.TimeBounds;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.time.Monotonic;
import io.timeshift.common.time.Sleeper;

import java.io.IOException;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Talks to a VM's QEMU guest agent the way Proxmox's {@code QMPClient} does (docs/pve-facts.md §4.1):
 * a fresh connection per exchange; one write of
 * {@code {"execute":"guest-sync-delimited","arguments":{"id":N}}\n{"execute":"<cmd>",...}\n}
 * (no leading 0xFF: qemu-ga 7.2 answers that with an extra parse error, docs/real-vm.md pitfall 8);
 * everything up to the 0xFF-prefixed sync reply carrying N is discarded, stale sync replies with
 * other ids included (docs/real-vm.md pitfalls 9–10); the next JSON object is the command's reply.
 *
 * <p><b>Timeouts:</b> one deadline per exchange covers connect + write + read and is measured only
 * on the injected {@link Monotonic} (this tool moves clocks; never wall time). Default
 * {@link #DEFAULT_TIMEOUT} (5 s, as PVE). {@link #run} adds its own overall deadline.
 *
 * <p><b>Errors</b> (all {@link AgentException}s map to exit 3):
 * <ul>
 *   <li>{@link VmNotRunningException}: no socket file, or connection refused;</li>
 *   <li>{@link EnvironmentException}: permission denied on the socket (run as root);</li>
 *   <li>{@link AgentNotAnsweringException}: no matching reply before the deadline (the agent
 *       socket accepts even when qemu-ga is not running in the guest);</li>
 *   <li>{@link AgentErrorException}: the agent answered {@code {"error":{...}}}; class and desc kept;</li>
 *   <li>{@link AgentProtocolException}: closed mid-reply, no {@code "return"}, a field missing or of
 *       the wrong type, a reply over 64 MiB, or an I/O error mid-exchange.</li>
 * </ul>
 *
 * <p><b>Thread-safety:</b> safe to share; exchanges of one client (and of the clients derived from it
 * with {@link #withTimeout}) are serialised, because QEMU serves one agent client at a time.
 *
 * <p><b>Adding a command:</b> write a method that builds its arguments with {@code args(k, v, ...)}
 * (order = bytes on the wire), calls {@code call(command, args)}, and reads the {@code "return"}
 * value with the {@code Reply.require*}/{@code opt*} helpers, so that a missing field is a protocol
 * error, not a null; add a test asserting the exact frame. Rare commands need no method:
 * {@link #execute} returns the raw JSON of {@code "return"}.
 *
 * <p><b>Common mistakes:</b> keeping a connection open between exchanges (blocks QEMU's only agent
 * slot, docs/real-vm.md pitfall 9); sending a leading 0xFF (pitfall 8); measuring a timeout with the wall clock;
 * sending {@code guest-set-time} without {@code time} to a Windows guest (it resyncs from NTP and
 * undoes a shift, docs/pve-facts.md §4.2).
 */
public final class QgaClient {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Largest JSON object accepted from the agent (two 16 MiB exec outputs in base64 fit). */
    static final int MAX_REPLY_BYTES = 64 << 20;
    /** Largest payload per guest-file-write (base64 makes it 64 KiB on the wire). */
    static final int WRITE_CHUNK = 48 * 1024;
    /** Bytes asked for per guest-file-read (agent maximum is 48 MiB). */
    static final int READ_CHUNK = 1 << 20;
    /** Pause between guest-exec-status polls in {@link #run}. */
    static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int READ_BUFFER = 64 * 1024;
    private static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    private final int vmid;
    private final QgaConnector connector;
    private final Monotonic monotonic;
    private final LongSupplier syncIds;
    private final Duration defaultTimeout;
    private final Sleeper sleeper;
    private final Object lock;

    public QgaClient(int vmid, QgaConnector connector, Monotonic monotonic, LongSupplier syncIds,
                     Duration defaultTimeout) {
        this(vmid, connector, monotonic, syncIds, defaultTimeout, Sleeper.SYSTEM);
    }

    /** As the 5-argument constructor, with the pause between {@link #run} polls injected. */
    public QgaClient(int vmid, QgaConnector connector, Monotonic monotonic, LongSupplier syncIds,
                     Duration defaultTimeout, Sleeper sleeper) {
        this(vmid, connector, monotonic, syncIds, checkTimeout(defaultTimeout, "defaultTimeout"), sleeper,
                new Object());
    }

    private QgaClient(int vmid, QgaConnector connector, Monotonic monotonic, LongSupplier syncIds,
                      Duration defaultTimeout, Sleeper sleeper, Object lock) {
        this.vmid = vmid;
        this.connector = Objects.requireNonNull(connector, "connector");
        this.monotonic = Objects.requireNonNull(monotonic, "monotonic");
        this.syncIds = Objects.requireNonNull(syncIds, "syncIds");
        this.defaultTimeout = defaultTimeout;
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.lock = lock;
    }

    /**
     * A client for the socket at {@code socket}, with sync ids from {@link SyncIds} (1..2^31-1, an int,
     * safe in every JSON implementation), {@link Monotonic#SYSTEM} and {@link #DEFAULT_TIMEOUT}.
     */
    public static QgaClient forSocket(int vmid, Path socket) {
        return new QgaClient(vmid, new UnixSocketQgaConnector(socket), Monotonic.SYSTEM, new SyncIds(), DEFAULT_TIMEOUT);
    }

    /**
     * Sync ids: they only have to differ from the ids of earlier clients whose replies may still be
     * queued in the channel, not to be secret, so a {@link SplittableRandom} seeded from both clocks
     * serves. Not SecureRandom, not a lambda: the hook's pre-stop is a fresh JVM, and each would
     * pull in a bootstrap (JCA providers, LambdaMetafactory) costing it tens of milliseconds.
     */
    static final class SyncIds implements LongSupplier {
        private final SplittableRandom random = new SplittableRandom(System.nanoTime() ^ (System.currentTimeMillis() << 20));

        @Override
        public synchronized long getAsLong() {
            return 1L + random.nextInt(Integer.MAX_VALUE);
        }
    }

    /** Where Proxmox puts VM {@code vmid}'s agent socket: {@code /var/run/qemu-server/<vmid>.qga}. */
    public static Path socketPath(int vmid) {
        return Path.of("/var/run/qemu-server", vmid + ".qga");
    }

    /** The same client (same connector, ids, clock, serialisation) with another default timeout. */
    public QgaClient withTimeout(Duration timeout) {
        return new QgaClient(vmid, connector, monotonic, syncIds, checkTimeout(timeout, "timeout"), sleeper, lock);
    }

    public int vmid() {
        return vmid;
    }

    public Duration defaultTimeout() {
        return defaultTimeout;
    }

    // ------------------------------------------------------------------ commands

    /** {@code guest-ping}: proves qemu-ga runs in the guest. */
    public void ping() {
        call("guest-ping", null);
    }

    /** {@code guest-get-time}: the guest's system time, ns since the epoch (UTC). */
    public long getTimeNanos() {
        Reply r = call("guest-get-time", null);
        return r.requireEpochNanos(r.requireLong(r.returnValue(), "return"));
    }

    /**
     * {@code guest-set-time {"time":ns}}: sets the guest's system time, then qemu-ga runs
     * {@code hwclock -w}. On an hwclock failure the system time is already set: verify with
     * {@link #getTimeNanos()}.
     */
    public void setTimeNanos(long epochNanos) {
        call("guest-set-time", args("time", epochNanos));
    }

    /** A guest clock reading paired with the host time it was taken at (both ns since the epoch). */
    public record TimedReading(long guestNanos, long hostNanos) {
        /** guest − host, ns. */
        public long offsetNanos() {
            return guestNanos - hostNanos;
        }
    }

    /**
     * {@code guest-get-time} paired with the host time of the reading: the host clock is read when the
     * agent has answered this connection's sync (the command is sent only then) and again when the
     * reply arrives; the reading is placed at the midpoint. Timing a whole exchange instead would
     * include the wait for QEMU to accept the connection, tens of ms that are not part of the reading.
     */
    public TimedReading timedGetTime(LongSupplier hostNanos) {
        StampWhenSent stamp = new StampWhenSent(hostNanos);
        Reply r = call("guest-get-time", stamp, defaultTimeout);
        long received = hostNanos.getAsLong();
        long guest = r.requireEpochNanos(r.requireLong(r.returnValue(), "return"));
        return new TimedReading(guest, stamp.sent + (received - stamp.sent) / 2);
    }

    /**
     * The late "arguments" of {@link #timedGetTime}: none, but the host time at the moment the command
     * is sent. Named classes rather than lambdas here and in {@link #setTimeNanos}: the hook's pre-stop
     * is a fresh JVM, and a first lambda costs it the LambdaMetafactory bootstrap (pinned by
     * packaging's HookStartupRulesTest).
     */
    private static final class StampWhenSent implements java.util.function.Supplier<Map<String, Object>> {
        private final LongSupplier hostNanos;
        long sent;

        StampWhenSent(LongSupplier hostNanos) {
            this.hostNanos = hostNanos;
        }

        @Override
        public Map<String, Object> get() {
            sent = hostNanos.getAsLong();
            return null;
        }
    }

    /** The late arguments of {@link #setTimeNanos}: {@code {"time": target}} taken when sent. */
    private static final class TimeWhenSent implements java.util.function.Supplier<Map<String, Object>> {
        private final LongSupplier target;

        TimeWhenSent(LongSupplier target) {
            this.target = target;
        }

        @Override
        public Map<String, Object> get() {
            return args("time", target.getAsLong());
        }
    }

    /**
     * {@code guest-set-time} with the time taken at the last possible moment: on one connection, the
     * sync is sent and answered first, and only then is {@code target} asked for and the command sent.
     * QEMU's agent chardev serves one client at a time and accepts the next connection only on a later
     * turn of its event loop, so a time computed before connecting arrives tens of milliseconds old
     * (measured: ~50 ms on TCG); computed after the sync reply it is at most one socket write old.
     */
    public void setTimeNanos(LongSupplier target) {
        Reply ignored = call("guest-set-time", new TimeWhenSent(target), defaultTimeout);
    }

    /** {@code guest-get-osinfo}. */
    public OsInfo osInfo() {
        Reply r = call("guest-get-osinfo", null);
        Map<String, Object> o = r.returnObject();
        return new OsInfo(r.optString(o, "id"), r.optString(o, "name"), r.optString(o, "pretty-name"),
                r.optString(o, "version"), r.optString(o, "version-id"), r.optString(o, "kernel-release"),
                r.optString(o, "machine"));
    }

    /** Longest {@code zone} name accepted from {@code guest-get-timezone} (Windows names are ~40 characters). */
    static final int MAX_ZONE_CHARS = 256;

    /**
     * {@code guest-get-timezone}: the guest's zone name and UTC offset now (docs/pve-rtc.md). A missing
     * or non-integer {@code offset}, one beyond ±18:00, or a {@code zone} with control characters or over
     * 256 characters is an {@link AgentProtocolException}.
     */
    public GuestTimezone timezone() {
        Reply r = call("guest-get-timezone", null);
        Map<String, Object> o = r.returnObject();
        long offset = r.requireLong(o, "offset");
        if (offset < -GuestTimezone.MAX_OFFSET_SECONDS || offset > GuestTimezone.MAX_OFFSET_SECONDS) {
            throw badTimezone("\"offset\" " + offset + " s is beyond +-18:00 (seconds east of UTC)");
        }
        String zone = r.optString(o, "zone");
        if (zone != null) {
            if (zone.length() > MAX_ZONE_CHARS) {
                throw badTimezone("\"zone\" is longer than " + MAX_ZONE_CHARS + " characters");
            }
            for (int i = 0; i < zone.length(); i++) {
                char c = zone.charAt(i);
                if (c < 0x20 || c == 0x7f) {
                    throw badTimezone("\"zone\" contains control characters");
                }
            }
        }
        return new GuestTimezone(zone, (int) offset);
    }

    /** The reply text is left out: it is the part that is hostile. */
    private AgentProtocolException badTimezone(String what) {
        return new AgentProtocolException(vmid, "VM " + vmid + ": unexpected reply to guest-get-timezone: " + what);
    }

    /**
     * {@code guest-exec}: starts {@code path} with {@code args} as argv (no shell; qemu-ga searches
     * PATH for a bare name). Returns the guest pid for {@link #execStatus}.
     */
    public long exec(String path, List<String> args, boolean captureOutput) {
        requireText(path, "path");
        List<String> argv = List.copyOf(Objects.requireNonNull(args, "args"));
        Reply r = call("guest-exec", args("path", path, "arg", argv, "capture-output", captureOutput));
        return r.requireLong(r.returnObject(), "pid");
    }

    /** {@code guest-exec-status}, with the base64 output decoded. */
    public ExecStatus execStatus(long pid) {
        Reply r = call("guest-exec-status", args("pid", pid));
        Map<String, Object> o = r.returnObject();
        return new ExecStatus(r.requireBoolean(o, "exited"), r.optInt(o, "exitcode"), r.optInt(o, "signal"),
                r.optBase64(o, "out-data"), r.optBase64(o, "err-data"),
                r.optBoolean(o, "out-truncated"), r.optBoolean(o, "err-truncated"));
    }

    /**
     * Runs a guest command to completion: {@link #exec} with output captured, then
     * {@link #execStatus} every ~10 ms until it has exited.
     *
     * @throws AgentNotAnsweringException if it has not exited within {@code timeout} (it may still run
     *                                    in the guest; the message names the command and pid)
     */
    public ExecResult run(Duration timeout, String path, String... args) {
        checkTimeout(timeout, "timeout");
        List<String> argv = List.of(args);
        long start = monotonic.nanoTime();
        long limit = timeout.toNanos();
        long pid = exec(path, argv, true);
        while (true) {
            ExecStatus st = execStatus(pid);
            if (st.exited()) {
                return new ExecResult(st.exitCode() != null ? st.exitCode() : -1, st.signal(),
                        new String(st.out(), StandardCharsets.UTF_8), new String(st.err(), StandardCharsets.UTF_8));
            }
            long remaining = limit - (monotonic.nanoTime() - start);
            if (remaining <= 0) {
                throw new AgentNotAnsweringException(vmid, "VM " + vmid + ": guest command '"
                        + commandLine(path, argv) + "' did not finish within " + format(timeout)
                        + " (it may still be running in the guest as pid " + pid + ")");
            }
            try {
                sleeper.sleep(Duration.ofNanos(Math.min(POLL_NANOS, remaining)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AgentNotAnsweringException(vmid, "VM " + vmid + ": interrupted while waiting for guest command '"
                        + commandLine(path, argv) + "' (pid " + pid + ")", e);
            }
        }
    }

    /** {@code guest-file-open}: returns the handle. Modes as fopen ({@code r}, {@code w}, {@code a}, ...). */
    public long fileOpen(String path, String mode) {
        requireText(path, "path");
        requireText(mode, "mode");
        Reply r = call("guest-file-open", args("path", path, "mode", mode));
        return r.requireLong(r.returnValue(), "return");
    }

    /** {@code guest-file-read}: up to {@code count} bytes. */
    public FileChunk fileRead(long handle, int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("count must be > 0, got " + count);
        }
        Reply r = call("guest-file-read", args("handle", handle, "count", count));
        Map<String, Object> o = r.returnObject();
        return new FileChunk(r.optBase64(o, "buf-b64"), r.requireBoolean(o, "eof"));
    }

    /** {@code guest-file-write}: returns the number of bytes the guest wrote. */
    public int fileWrite(long handle, byte[] data) {
        Objects.requireNonNull(data, "data");
        Reply r = call("guest-file-write", args("handle", handle, "buf-b64", Base64.getEncoder().encodeToString(data)));
        return r.requireInt(r.returnObject(), "count");
    }

    /** {@code guest-file-close}. */
    public void fileClose(long handle) {
        call("guest-file-close", args("handle", handle));
    }

    /**
     * Writes {@code data} to a guest file (truncated if it exists; a new file gets mode 0666 whatever
     * the umask, docs/pve-facts.md §4.2), in chunks of at most 48 KiB, and closes it even when a write fails
     * (a close failure is then attached to the write failure as suppressed).
     */
    public void writeFile(String path, byte[] data) {
        Objects.requireNonNull(data, "data");
        long handle = fileOpen(path, "w");
        RuntimeException failure = null;
        try {
            int offset = 0;
            while (offset < data.length) {
                int len = Math.min(WRITE_CHUNK, data.length - offset);
                int written = fileWrite(handle, Arrays.copyOfRange(data, offset, offset + len));
                if (written <= 0 || written > len) {
                    throw new AgentProtocolException(vmid, "VM " + vmid + ": guest-file-write to " + path
                            + " reported " + written + " of " + len + " bytes written");
                }
                offset += written;
            }
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            closeAfter(handle, failure);
        }
    }

    /**
     * Reads a guest file until end of file or {@code maxBytes}, whichever comes first (the result is
     * then silently cut at {@code maxBytes}), and closes it.
     */
    public byte[] readFile(String path, int maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        long handle = fileOpen(path, "r");
        RuntimeException failure = null;
        try {
            byte[] buf = new byte[Math.min(maxBytes, 64 * 1024)];
            int len = 0;
            while (len < maxBytes) {
                FileChunk chunk = fileRead(handle, Math.min(READ_CHUNK, maxBytes - len));
                int take = Math.min(chunk.data().length, maxBytes - len);
                if (len + take > buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(maxBytes, Math.max((long) buf.length * 2, len + take)));
                }
                System.arraycopy(chunk.data(), 0, buf, len, take);
                len += take;
                // An empty chunk without eof (a pipe or device with nothing to give) ends the read
                // rather than spinning.
                if (chunk.eof() || chunk.data().length == 0) {
                    break;
                }
            }
            return Arrays.copyOf(buf, len);
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            closeAfter(handle, failure);
        }
    }

    private void closeAfter(long handle, RuntimeException failure) {
        try {
            fileClose(handle);
        } catch (RuntimeException closeFailure) {
            if (failure == null) {
                throw closeFailure;
            }
            failure.addSuppressed(closeFailure);
        }
    }

    /**
     * Any command, raw: returns the JSON text of {@code "return"} exactly as the agent sent it.
     * {@code arguments} are sent in the map's iteration order (use a {@link LinkedHashMap} for
     * stable bytes); {@code null} sends no {@code "arguments"} member. Values may be strings,
     * numbers, booleans, null, lists and maps.
     */
    public String execute(String command, Map<String, Object> arguments) {
        requireText(command, "command");
        Reply r = call(command, arguments);
        return r.top.rawValues().get("return");
    }

    // ------------------------------------------------------------------ exchange

    /** Builds an ordered argument map from key/value pairs. */
    static Map<String, Object> args(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** Only the sync line (the late-argument exchange sends the command after the sync reply). */
    static byte[] syncFrame(long syncId) {
        return ("{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":" + syncId + "}}\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Only the command line. */
    static byte[] commandFrame(String command, Map<String, Object> arguments) {
        requireNoNul(command, arguments);
        StringBuilder sb = new StringBuilder(64);
        sb.append("{\"execute\":");
        LightJson.writeString(sb, command);
        if (arguments != null) {
            sb.append(",\"arguments\":");
            LightJson.write(sb, arguments);
        }
        sb.append("}\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The exact bytes of one exchange: the sync, then the command, each ending in a newline. */
    static byte[] frame(long syncId, String command, Map<String, Object> arguments) {
        requireNoNul(command, arguments);
        StringBuilder sb = new StringBuilder(96);
        sb.append("{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":").append(syncId).append("}}\n");
        sb.append("{\"execute\":");
        LightJson.writeString(sb, command);
        if (arguments != null) {
            sb.append(",\"arguments\":");
            LightJson.write(sb, arguments);
        }
        sb.append("}\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One exchange with the default timeout; returns the reply, which has a {@code "return"}. */
    private Reply call(String command, Map<String, Object> arguments) {
        return call(command, arguments, defaultTimeout);
    }

    private Reply call(String command, Map<String, Object> arguments, Duration timeout) {
        return call(command, arguments, null, timeout);
    }

    private Reply call(String command, java.util.function.Supplier<Map<String, Object>> lateArguments, Duration timeout) {
        return call(command, null, lateArguments, timeout);
    }

    private Reply call(String command, Map<String, Object> arguments,
                       java.util.function.Supplier<Map<String, Object>> lateArguments, Duration timeout) {
        String text;
        synchronized (lock) {
            text = exchange(command, arguments, lateArguments, timeout);
        }
        LightJson.TopObject top;
        try {
            top = LightJson.parseTopObject(text);
        } catch (IllegalArgumentException e) {
            throw new AgentProtocolException(vmid, "VM " + vmid + ": guest agent sent invalid JSON in reply to "
                    + command + " (" + e.getMessage() + "): " + abbreviate(text), e);
        }
        Object error = top.values().get("error");
        if (error != null) {
            if (error instanceof Map<?, ?> e && e.get("desc") instanceof String desc) {
                Object cls = e.get("class");
                throw new AgentErrorException(vmid, command, cls instanceof String c ? c : "GenericError", desc);
            }
            throw new AgentProtocolException(vmid, "VM " + vmid + ": guest agent sent a malformed error in reply to "
                    + command + ": " + abbreviate(text));
        }
        if (!top.values().containsKey("return")) {
            throw new AgentProtocolException(vmid, "VM " + vmid + ": guest agent reply to " + command
                    + " has no \"return\": " + abbreviate(text));
        }
        return new Reply(command, top, text);
    }

    /** Connect, write, read until the command's reply is complete; returns the reply's JSON text. */
    private String exchange(String command, Map<String, Object> arguments,
                            java.util.function.Supplier<Map<String, Object>> lateArguments, Duration timeout) {
        long limit = timeout.toNanos();
        long start = monotonic.nanoTime();
        long syncId = syncIds.getAsLong();
        byte[] frame = lateArguments == null ? frame(syncId, command, arguments) : syncFrame(syncId);
        boolean commandSent = lateArguments == null;

        QgaConnection conn;
        try {
            conn = connector.open(limit);
        } catch (NoSuchFileException e) {
            String file = e.getFile() != null ? e.getFile() : e.getMessage();
            throw new VmNotRunningException(vmid, "VM " + vmid
                    + " is not running or has no guest agent configured (no agent socket at " + file + ")", e);
        } catch (ConnectException e) {
            throw new VmNotRunningException(vmid, "VM " + vmid
                    + " is not running or has no guest agent configured (agent socket: " + e.getMessage() + ")", e);
        } catch (AccessDeniedException e) {
            String file = e.getFile() != null ? e.getFile() : e.getMessage();
            throw new EnvironmentException("VM " + vmid + ": permission denied on the guest agent socket " + file
                    + "; run as root (the socket is root-only)", e);
        } catch (SocketTimeoutException e) {
            throw new AgentNotAnsweringException(vmid, "VM " + vmid + ": guest agent did not answer " + command
                    + " within " + format(timeout) + " (the agent socket stayed busy: another client is connected)", e);
        } catch (IOException e) {
            throw new AgentNotAnsweringException(vmid, "VM " + vmid + ": cannot connect to the guest agent for "
                    + command + ": " + e.getMessage(), e);
        }

        ReplyScanner scanner = new ReplyScanner(syncId, MAX_REPLY_BYTES);
        RuntimeException failure = null;
        try {
            long remaining = limit - (monotonic.nanoTime() - start);
            if (remaining <= 0) {
                throw notAnswering(command, timeout, scanner, null);
            }
            conn.write(frame, remaining);
            ByteBuffer buf = ByteBuffer.allocate(READ_BUFFER);
            while (true) {
                remaining = limit - (monotonic.nanoTime() - start);
                if (remaining <= 0) {
                    throw notAnswering(command, timeout, scanner, null);
                }
                buf.clear();
                int n = conn.read(buf, remaining);
                if (n < 0) {
                    throw new AgentProtocolException(vmid, "VM " + vmid
                            + ": guest agent closed the connection mid-reply to " + command
                            + (scanner.bytesSeen() == 0 ? " (before sending anything)"
                                    : scanner.synced() ? " (after the sync reply)" : " (before the sync reply)"));
                }
                if (n == 0) {
                    continue;
                }
                buf.flip();
                if (scanner.feed(buf)) {
                    return scanner.reply();
                }
                if (!commandSent && scanner.synced()) {
                    byte[] cmd = commandFrame(command, lateArguments.get());
                    commandSent = true;
                    conn.write(cmd, Math.max(1, limit - (monotonic.nanoTime() - start)));
                }
            }
        } catch (ReplyScanner.Violation e) {
            failure = new AgentProtocolException(vmid, "VM " + vmid + ": bad reply from guest agent to " + command
                    + ": " + e.getMessage(), e);
            throw failure;
        } catch (SocketTimeoutException e) {
            failure = notAnswering(command, timeout, scanner, e);
            throw failure;
        } catch (IOException e) {
            failure = new AgentProtocolException(vmid, "VM " + vmid + ": guest agent connection failed during "
                    + command + ": " + e.getMessage(), e);
            throw failure;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            try {
                conn.close();
            } catch (IOException closeFailure) {
                // The exchange is over either way; a failed close of a local socket loses nothing.
                if (failure != null) {
                    failure.addSuppressed(closeFailure);
                }
            }
        }
    }

    private AgentNotAnsweringException notAnswering(String command, Duration timeout, ReplyScanner scanner,
                                                    Throwable cause) {
        String msg = scanner.synced()
                ? "VM " + vmid + ": guest agent answered the sync but not " + command + " within " + format(timeout)
                        + " (the command may still be running in the guest)"
                : "VM " + vmid + ": guest agent did not answer " + command + " within " + format(timeout)
                        + " (is qemu-guest-agent running in the guest?)";
        return new AgentNotAnsweringException(vmid, msg, cause);
    }

    // ------------------------------------------------------------------ reply access

    /** A successful reply; typed access to {@code "return"} that turns shape errors into protocol errors. */
    private final class Reply {
        final String command;
        final LightJson.TopObject top;
        final String text;

        Reply(String command, LightJson.TopObject top, String text) {
            this.command = command;
            this.top = top;
            this.text = text;
        }

        Object returnValue() {
            return top.values().get("return");
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> returnObject() {
            if (returnValue() instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
            throw bad("\"return\" is not an object");
        }

        long requireLong(Object value, String what) {
            if (value instanceof Long l) {
                return l;
            }
            throw bad("\"" + what + "\" is not a 64-bit integer");
        }

        /**
         * A guest clock reading inside {@link TimeBounds} (1970-2069): anything else (a guest reporting
         * -2^63) is a protocol error, so no caller computes with it.
         */
        long requireEpochNanos(long ns) {
            if (!TimeBounds.inRangeEpochNanos(ns)) {
                throw bad("the guest's time " + ns + " ns since the epoch is outside " + TimeBounds.INSTANT_RANGE
                        + " (set the guest's clock, or check its agent)");
            }
            return ns;
        }

        long requireLong(Map<String, Object> o, String field) {
            if (!o.containsKey(field)) {
                throw bad("\"" + field + "\" is missing");
            }
            return requireLong(o.get(field), field);
        }

        int requireInt(Map<String, Object> o, String field) {
            long v = requireLong(o, field);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw bad("\"" + field + "\" is out of range");
            }
            return (int) v;
        }

        Integer optInt(Map<String, Object> o, String field) {
            Object v = o.get(field);
            if (v == null || v == LightJson.NULL) {
                return null;
            }
            return requireInt(o, field);
        }

        boolean requireBoolean(Map<String, Object> o, String field) {
            if (o.get(field) instanceof Boolean b) {
                return b;
            }
            throw bad("\"" + field + "\" is missing or not a boolean");
        }

        boolean optBoolean(Map<String, Object> o, String field) {
            Object v = o.get(field);
            if (v == null || v == LightJson.NULL) {
                return false;
            }
            return requireBoolean(o, field);
        }

        String optString(Map<String, Object> o, String field) {
            Object v = o.get(field);
            if (v == null || v == LightJson.NULL) {
                return null;
            }
            if (v instanceof String s) {
                return s;
            }
            throw bad("\"" + field + "\" is not a string");
        }

        byte[] optBase64(Map<String, Object> o, String field) {
            String s = optString(o, field);
            if (s == null) {
                return new byte[0];
            }
            try {
                return Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                throw bad("\"" + field + "\" is not base64 (" + e.getMessage() + ")");
            }
        }

        private AgentProtocolException bad(String what) {
            return new AgentProtocolException(vmid, "VM " + vmid + ": unexpected reply to " + command + ": "
                    + what + ": " + abbreviate(text));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Duration checkTimeout(Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(name + " must be > 0 and <= 1 day, got " + timeout);
        }
        return timeout;
    }

    private static void requireText(String s, String name) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }

    /** "5 s", "1.5 s", "250 ms": for one-line messages. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms % 1000 == 0) {
            return (ms / 1000) + " s";
        }
        return new java.math.BigDecimal(BigInteger.valueOf(ms), 3).stripTrailingZeros().toPlainString() + " s";
    }

    private static String commandLine(String path, List<String> args) {
        StringBuilder sb = new StringBuilder(path);
        for (String a : args) {
            sb.append(' ').append(a);
        }
        return sb.toString();
    }

    private static String abbreviate(String text) {
        return Sanitizer.value(text);
    }

    /** QEMU's JSON parser refuses {@code \\u0000}: a NUL in an argument is refused here, typed. */
    private static void requireNoNul(String command, Map<String, Object> arguments) {
        if (LightJson.containsNul(command) || LightJson.containsNul(arguments)) {
            throw new InvalidInputException("guest agent command " + Sanitizer.value(command)
                    + ": an argument contains a NUL character, which the QEMU guest agent cannot receive");
        }
    }
}

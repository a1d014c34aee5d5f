package io.timeshift.host.e2e;

import io.timeshift.host.demo.UnixLines;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small, independent guest-agent client for TEST assertions (checking guest state around the
 * tool under test), framed like Proxmox's QMPClient: a fresh connection per command, writing
 * {@code guest-sync-delimited {id}} and the command in one go, no leading 0xFF (docs/real-vm.md pitfall 8), reading
 * past the 0xFF sentinel and skipping replies with another id (docs/real-vm.md pitfalls 9, 10). The connection is
 * closed after every command: never hold it while the tool under test talks to the agent.
 */
public final class TestQga {
    /** An agent {@code {"error": ...}} answer. */
    public static final class AgentError extends IOException {
        private static final long serialVersionUID = 1L;

        private final String errorClass;

        AgentError(String errorClass, String desc) {
            super(errorClass + ": " + desc);
            this.errorClass = errorClass;
        }

        public String errorClass() {
            return errorClass;
        }
    }

    /** Result of a finished guest-exec. */
    public static final class ExecResult {
        public final int exitCode;
        public final String out;
        public final String err;

        ExecResult(int exitCode, String out, String err) {
            this.exitCode = exitCode;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + ", out=" + out.replace("\n", "\\n") + ", err=" + err.replace("\n", "\\n");
        }
    }

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicLong SEQ = new AtomicLong(ProcessHandle.current().pid() * 100_000L % 1_000_000_000L);

    private TestQga() {
    }

    /** Runs one agent command; returns its "return" value. */
    public static Object command(Path socket, String command, Map<String, Object> arguments, Duration timeout)
            throws IOException {
        return exchange(socket, command, arguments, timeout, true);
    }

    /** For guest-shutdown (and suspend): no reply is expected on success; returns when sent+synced. */
    public static void commandNoReply(Path socket, String command, Map<String, Object> arguments, Duration timeout)
            throws IOException {
        exchange(socket, command, arguments, timeout, false);
    }

    /** Waits (one connection, one sync: docs/real-vm.md pitfall 10) until the agent answers; returns false on timeout. */
    public static boolean waitForAgent(Path socket, Duration timeout) throws IOException {
        try {
            command(socket, "guest-ping", null, timeout);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** guest-get-time: the guest's system clock in nanoseconds since the epoch. */
    public static long getTimeNanos(Path socket) throws IOException {
        return ((Number) command(socket, "guest-get-time", null, DEFAULT_TIMEOUT)).longValue();
    }

    /** guest-exec with captured output, polling guest-exec-status every 20 ms until it exits. */
    public static ExecResult exec(Path socket, Duration timeout, String path, String... args) throws IOException {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("path", path);
        a.put("arg", List.of(args));
        a.put("capture-output", true);
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<?, ?> started = (Map<?, ?>) command(socket, "guest-exec", a, timeout);
        long pid = ((Number) started.get("pid")).longValue();
        while (true) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("pid", pid);
            Map<?, ?> st = (Map<?, ?>) command(socket, "guest-exec-status", s, timeout);
            if (Boolean.TRUE.equals(st.get("exited"))) {
                Object code = st.get("exitcode");
                return new ExecResult(code == null ? -1 : ((Number) code).intValue(), b64(st.get("out-data")),
                        b64(st.get("err-data")));
            }
            if (System.nanoTime() > deadline) {
                throw new SocketTimeoutException("guest-exec " + path + " " + Arrays.toString(args)
                        + " did not exit within " + timeout);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    private static String b64(Object o) {
        return o == null ? "" : new String(Base64.getDecoder().decode(o.toString()), StandardCharsets.UTF_8);
    }

    private static Object exchange(Path socket, String command, Map<String, Object> arguments, Duration timeout,
            boolean wantReply) throws IOException {
        long id = SEQ.incrementAndGet();
        Map<String, Object> sync = new LinkedHashMap<>();
        sync.put("execute", "guest-sync-delimited");
        sync.put("arguments", Map.of("id", id));
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("execute", command);
        if (arguments != null && !arguments.isEmpty()) {
            req.put("arguments", arguments);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (UnixLines c = UnixLines.connect(socket)) {
            c.write(JSON.std.asString(sync) + "\n" + JSON.std.asString(req) + "\n");
            // skip everything up to a 0xFF followed by our sync reply (stale ones carry an older id)
            while (true) {
                c.readUntil((byte) 0xFF, deadline);
                Map<String, Object> r = JSON.std.mapFrom(c.readLine(deadline));
                Object ret = r.get("return");
                if (ret instanceof Number && ((Number) ret).longValue() == id) {
                    break;
                }
            }
            if (!wantReply) {
                return null;
            }
            while (true) {
                String line;
                try {
                    line = c.readLine(deadline);
                } catch (EOFException e) {
                    throw new IOException("agent closed the connection without answering " + command, e);
                }
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> r = JSON.std.mapFrom(line);
                if (r.containsKey("error")) {
                    Map<?, ?> err = (Map<?, ?>) r.get("error");
                    throw new AgentError(String.valueOf(err.get("class")), String.valueOf(err.get("desc")));
                }
                if (r.containsKey("return")) {
                    return r.get("return");
                }
                throw new IOException("unexpected agent answer: " + line);
            }
        }
    }
}

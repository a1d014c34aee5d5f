package io.timeshift.host.demo;

import io.timeshift.host.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Minimal QMP client over the JDK's unix SocketChannel: greeting, {@code qmp_capabilities}, then
 * commands; asynchronous events are skipped. QEMU's QMP socket serves one client at a time
 * (docs/real-vm.md pitfall 9): use try-with-resources or the one-shot static helpers, which close the
 * connection after the command.
 *
 * <pre>
 *   Qmp.stop(vm.qmpSocket());                 // one-shot
 *   try (Qmp q = Qmp.connect(vm.qmpSocket())) { q.stop(); ...; q.cont(); }
 * </pre>
 */
public final class Qmp implements AutoCloseable {
    /** A QMP {@code {"error": {...}}} answer. */
    public static final class QmpException extends IOException {
        private static final long serialVersionUID = 1L;

        private final String errorClass;

        QmpException(String errorClass, String desc) {
            super(errorClass + ": " + desc);
            this.errorClass = errorClass;
        }

        public String errorClass() {
            return errorClass;
        }
    }

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final UnixLines conn;
    private final Duration timeout;
    private Qmp(UnixLines conn, Duration timeout) {
        this.conn = conn;
        this.timeout = timeout;
    }

    public static Qmp connect(Path socket) throws IOException {
        return connect(socket, DEFAULT_TIMEOUT);
    }

    /** Connects, reads the greeting and negotiates capabilities. */
    public static Qmp connect(Path socket, Duration timeout) throws IOException {
        UnixLines c = UnixLines.connect(socket);
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            Map<String, Object> greet = Json.parseObject(c.readLine(deadline), "QMP greeting");
            if (!greet.containsKey("QMP")) {
                throw new IOException("not a QMP greeting: " + greet);
            }
            Qmp q = new Qmp(c, timeout);
            q.execute("qmp_capabilities", null);
            return q;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Runs a command and returns its "return" value (a Map, List, or null for {}-less answers).
     * Events that arrive meanwhile are skipped.
     */
    public Object execute(String command, Map<String, Object> arguments) throws IOException {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("execute", command);
        if (arguments != null && !arguments.isEmpty()) {
            req.put("arguments", arguments);
        }
        conn.write(Json.compact(req) + "\n");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = conn.readLine(deadline);
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> m = Json.parseObject(line, "QMP reply");
            if (m.containsKey("event")) {
                continue;
            }
            if (m.containsKey("error")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> err = (Map<String, Object>) m.get("error");
                throw new QmpException(String.valueOf(err.get("class")), String.valueOf(err.get("desc")));
            }
            if (m.containsKey("return")) {
                return m.get("return");
            }
            throw new IOException("unexpected QMP message: " + line);
        }
    }

    public void stop() throws IOException {
        execute("stop", null);
    }

    public void cont() throws IOException {
        execute("cont", null);
    }

    /** ACPI power button: the test guest powers off (busybox acpid), QEMU then exits. */
    public void systemPowerdown() throws IOException {
        execute("system_powerdown", null);
    }

    /** Asks QEMU to exit. QEMU may close the socket before or after answering; both are fine. */
    public void quit() throws IOException {
        try {
            execute("quit", null);
        } catch (java.io.EOFException e) {
            // closed before the answer: QEMU is exiting
        }
    }

    /** "running", "paused", "prelaunch", "shutdown", ... */
    public String queryStatus() throws IOException {
        Object r = execute("query-status", null);
        if (r instanceof Map) {
            return String.valueOf(((Map<?, ?>) r).get("status"));
        }
        throw new IOException("unexpected query-status answer: " + r);
    }

    @Override
    public void close() throws IOException {
        conn.close();
    }

    // ---- one-shot helpers: connect, one command, close ------------------------------------------

    public static String queryStatus(Path socket) throws IOException {
        try (Qmp q = connect(socket)) {
            return q.queryStatus();
        }
    }

    public static void stop(Path socket) throws IOException {
        try (Qmp q = connect(socket)) {
            q.stop();
        }
    }

    public static void cont(Path socket) throws IOException {
        try (Qmp q = connect(socket)) {
            q.cont();
        }
    }

    public static void systemPowerdown(Path socket) throws IOException {
        try (Qmp q = connect(socket)) {
            q.systemPowerdown();
        }
    }

    public static void quit(Path socket) throws IOException {
        try (Qmp q = connect(socket)) {
            q.quit();
        }
    }
}

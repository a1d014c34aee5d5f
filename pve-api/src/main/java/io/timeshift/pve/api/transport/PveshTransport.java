package io.timeshift.pve.api.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.timeshift.pve.api.error.PveErrorClassifier;
import io.timeshift.pve.api.error.PveTimeoutException;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local transport: runs {@code pvesh get|set|create|delete <path> --output-format json
 * [--key value ...]} as a child process. pvesh answers with the same paths and JSON as the REST API
 * (without the envelope), needs no credentials as root, and proxies to other nodes itself.
 *
 * <ul>
 *   <li>argv only, never a shell; one argv element per key and per value, so values with spaces,
 *       quotes or leading dashes arrive verbatim (pvesh's Getopt::Long takes the next element as the
 *       value of an option that requires one). List values become repeated {@code --key v}.</li>
 *   <li>{@code pvesh} is looked up on {@code PATH} (the process's, or an injected one), or an explicit
 *       executable is used. The child gets {@code LC_ALL=C} so messages are the English ones the
 *       classifier knows.</li>
 *   <li>Time limit per call measured by {@link Process#waitFor(long, TimeUnit)} (monotonic); on expiry
 *       the process tree is killed and {@link PveTimeoutException} is thrown.</li>
 *   <li>Errors: pvesh prints PVE's exception to stderr and exits non-zero. An exception with a code
 *       is printed as {@code "400 Parameter verification failed.\nfield: message\n"} (pve-common
 *       {@code PVE::Exception::stringify}); a plain {@code die} as its text. Both go through
 *       {@link PveErrorClassifier}, so callers see the same types as over HTTPS.</li>
 * </ul>
 * Thread-safe; holds no resources between calls.
 */
public final class PveshTransport implements PveTransport {
    private static final Logger LOG = LoggerFactory.getLogger(PveshTransport.class);
    private static final Pattern CODE_LINE = Pattern.compile("^(\\d{3}) (.*)$");
    private static final Pattern FIELD_LINE = Pattern.compile("^([A-Za-z0-9_\\-\\[\\]]+): (.*)$");
    private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_\\-]*");
    private static final String LOCK_PROGRESS = "trying to acquire lock...";
    /** Default time limit per call; pvesh itself starts in about 0.3-0.5 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final Path executable;
    private final Duration timeout;
    private final Map<String, String> environment;

    private PveshTransport(Builder b) {
        this.timeout = b.timeout;
        this.environment = Map.copyOf(b.environment); // the builder stays usable without changing this transport
        this.executable = b.executable != null ? b.executable : find(b.searchPath);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A transport using {@code pvesh} from this process's {@code PATH} and the default time limit. */
    public static PveshTransport onPath() {
        return builder().build();
    }

    /** The pvesh executable in use. */
    public Path executable() {
        return executable;
    }

    private static Path find(String searchPath) {
        String path = searchPath == null ? "" : searchPath;
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "pvesh");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new EnvironmentException("pvesh not found on PATH (" + path + "): this is not a Proxmox VE node;"
                + " run on a node as root, or use --remote https://<node>:8006");
    }

    @Override
    public PveResponse call(Method method, String path, Map<String, ?> params) {
        Objects.requireNonNull(method, "method");
        List<String> argv = argv(method, path, params);
        String operation = "pvesh " + method.pveshVerb() + " " + path;
        LOG.debug("running {}", argv);
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(environment);
        pb.environment().put("LC_ALL", "C");
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new EnvironmentException(operation + ": cannot run " + executable + ": " + e.getMessage(), e);
        }
        Drain out = Drain.start(process.getInputStream(), "pvesh-stdout");
        Drain err = Drain.start(process.getErrorStream(), "pvesh-stderr");
        boolean finished;
        try {
            finished = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(process);
            throw new EnvironmentException(operation + ": interrupted while waiting for pvesh", e);
        }
        if (!finished) {
            kill(process);
            throw new PveTimeoutException(operation, "pvesh did not finish in time; killed it", timeout,
                    true, null);
        }
        String stdout = out.await();
        String stderr = err.await();
        int exit = process.exitValue();
        if (exit != 0) {
            LOG.debug("{} exited {}: {}", operation, exit, stderr.strip());
            throw classify(operation, exit, stderr);
        }
        if (!stderr.isBlank()) {
            LOG.debug("{} stderr: {}", operation, stderr.strip());
        }
        return PveResponse.of(parseStdout(stdout, operation));
    }

    /** The exact argv for a call: executable, verb, path, output format, then {@code --key value} pairs. */
    List<String> argv(Method method, String path, Map<String, ?> params) {
        if (path == null || !path.startsWith("/") || path.contains("//") || path.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("API path must be absolute, without spaces or empty segments: " + path);
        }
        List<String> argv = new ArrayList<>();
        argv.add(executable.toString());
        argv.add(method.pveshVerb());
        argv.add(path);
        argv.add("--output-format");
        argv.add("json");
        if (params != null) {
            for (Map.Entry<String, ?> e : params.entrySet()) {
                String key = e.getKey();
                if (key == null || !KEY.matcher(key).matches()) {
                    throw new InvalidInputException("API parameter name '" + key + "' is not valid (letters, digits, - and _)");
                }
                Object v = e.getValue();
                if (v instanceof Collection<?> list) {
                    for (Object item : list) {
                        argv.add("--" + key);
                        argv.add(String.valueOf(item));
                    }
                } else if (v != null) {
                    argv.add("--" + key);
                    argv.add(String.valueOf(v));
                }
            }
        }
        return argv;
    }

    private static JsonNode parseStdout(String stdout, String operation) {
        String s = stdout.strip();
        if (s.isEmpty()) {
            return NullNode.getInstance();
        }
        char c = s.charAt(0);
        if (c == '{' || c == '[' || c == '"' || c == '-' || Character.isDigit(c) || s.equals("null")
                || s.equals("true") || s.equals("false")) {
            return PveJson.parse(s, operation);
        }
        // Some handlers print a bare string (e.g. a UPID) even with --output-format json.
        return TextNode.valueOf(s);
    }

    /** Map pvesh's stderr to the same exception the HTTPS transport would throw. */
    static RuntimeException classify(String operation, int exitCode, String stderr) {
        List<String> lines = new ArrayList<>();
        boolean afterLockProgress = false;
        for (String line : stderr.split("\\R")) {
            String l = line.strip();
            // pve-common PVE::Tools::lock_file_full prints "trying to acquire lock..." and then " OK" or
            // " failed" while it waits for a flock: progress, not the error (the die text follows)
            if (l.equals(LOCK_PROGRESS) || (afterLockProgress && (l.equals("OK") || l.equals("failed")))) {
                afterLockProgress = l.equals(LOCK_PROGRESS);
                continue;
            }
            afterLockProgress = false;
            if (!l.isEmpty()) {
                lines.add(l);
            }
        }
        if (lines.isEmpty()) {
            return PveErrorClassifier.classify(operation, 0, "pvesh failed with exit code " + exitCode + " and no message",
                    Map.of());
        }
        int status = 0;
        String message = lines.get(0);
        Matcher m = CODE_LINE.matcher(message);
        if (m.matches()) {
            status = Integer.parseInt(m.group(1));
            message = m.group(2);
        }
        Map<String, String> errors = new LinkedHashMap<>();
        StringBuilder rest = new StringBuilder(message);
        for (String line : lines.subList(1, lines.size())) {
            Matcher f = FIELD_LINE.matcher(line);
            if (status == 400 && f.matches()) {
                errors.put(f.group(1), f.group(2));
            } else if (line.startsWith("Usage:") || line.startsWith("pvesh ")) {
                break; // usage text follows parameter errors
            } else {
                rest.append('\n').append(line);
            }
        }
        return PveErrorClassifier.classify(operation, status, rest.toString(), errors);
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public void close() {
        // nothing held between calls
    }

    @Override
    public String toString() {
        return "PveshTransport[" + executable + ", timeout " + timeout.toMillis() + " ms]";
    }

    /** Reads a stream to the end on a daemon thread so a chatty child never blocks on a full pipe. */
    private static final class Drain implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread thread;
        private volatile IOException failure;

        private Drain(InputStream in, String name) {
            this.in = in;
            this.thread = new Thread(this, name);
            this.thread.setDaemon(true);
        }

        static Drain start(InputStream in, String name) {
            Drain d = new Drain(in, name);
            d.thread.start();
            return d;
        }

        @Override
        public void run() {
            try (in) {
                in.transferTo(buf);
            } catch (IOException e) {
                failure = e;
            }
        }

        String await() {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failure != null) {
                throw new UncheckedIOException("reading pvesh output", failure);
            }
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** Builder; every setting is optional. */
    public static final class Builder {
        private Path executable;
        private String searchPath = System.getenv("PATH");
        private Duration timeout = DEFAULT_TIMEOUT;
        private final Map<String, String> environment = new LinkedHashMap<>();

        private Builder() {
        }

        /** Use this pvesh instead of searching {@code PATH}. */
        public Builder executable(Path executable) {
            this.executable = Objects.requireNonNull(executable, "executable");
            return this;
        }

        /**
         * Search this {@code PATH} value for pvesh (instead of the process's), and give it to the
         * child as its {@code PATH}.
         */
        public Builder searchPath(String path) {
            this.searchPath = Objects.requireNonNull(path, "path");
            this.environment.put("PATH", path);
            return this;
        }

        /** Time limit per call (monotonic); must be positive. Default 60 s. */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new InvalidInputException("pvesh timeout must be a positive duration, e.g. PT60S (got " + timeout + ")");
            }
            this.timeout = timeout;
            return this;
        }

        public PveshTransport build() {
            return new PveshTransport(this);
        }
    }
}

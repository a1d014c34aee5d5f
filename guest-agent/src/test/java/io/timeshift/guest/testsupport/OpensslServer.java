package io.timeshift.guest.testsupport;

import io.timeshift.testsupport.Openssl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code openssl s_server} on a free loopback port ({@code -accept 0}; the port is read from
 * its {@code ACCEPT [::]:<port>} line). Its stdin stays open: s_server shuts down on stdin EOF.
 * Output is drained so a talkative server never blocks on a full pipe.
 */
public final class OpensslServer implements AutoCloseable {
    private static final Pattern ACCEPT = Pattern.compile("^ACCEPT .*:(\\d+)$");
    private final Process process;
    private final int port;

    private OpensslServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** {@code args} after {@code s_server -accept 0}, e.g. {@code -cert a.pem -key a.key -tls1}. */
    public static OpensslServer start(String... args) {
        Openssl.require();
        List<String> argv = new ArrayList<>(List.of("openssl", "s_server", "-accept", "0", "-naccept", "1000"));
        argv.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<Integer> port = new CompletableFuture<>();
            StringBuilder seen = new StringBuilder();
            Thread drain = new Thread(() -> {
                try {
                    String line;
                    while ((line = r.readLine()) != null) {
                        Matcher m = ACCEPT.matcher(line.trim());
                        if (m.matches()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        } else if (!port.isDone()) {
                            seen.append(line).append('\n');
                        }
                    }
                } catch (IOException e) {
                    // process ended
                }
                port.completeExceptionally(new AssertionError("s_server exited: " + seen));
            }, "s_server-drain");
            drain.setDaemon(true);
            drain.start();
            try {
                return new OpensslServer(p, port.get(10, TimeUnit.SECONDS));
            } catch (Exception e) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", argv) + " did not start: " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot start openssl s_server", e);
        }
    }

    public int port() {
        return port;
    }

    public String target() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

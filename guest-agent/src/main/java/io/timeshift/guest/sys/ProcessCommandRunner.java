package io.timeshift.guest.sys;

import io.timeshift.common.error.EnvironmentException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link CommandRunner} over {@link ProcessBuilder}. The timeout is enforced with
 * {@link Process#waitFor(long, TimeUnit)}, which measures on the monotonic clock; on timeout the
 * process is killed. Stdin is closed at once; stdout and stderr are drained concurrently so a chatty
 * command cannot block on a full pipe. {@code LC_ALL=C} keeps output parseable.
 */
public final class ProcessCommandRunner implements CommandRunner {
    @Override
    public CommandResult run(List<String> argv, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("SYSTEMD_PAGER", "");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new CommandResult(NOT_FOUND, "", argv.get(0) + ": cannot run: " + e.getMessage());
        }
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // the child may already have exited; nothing to send anyway
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new EnvironmentException(String.join(" ", argv) + ": no answer within " + timeout.toMillis() + " ms");
            }
            return new CommandResult(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new EnvironmentException(String.join(" ", argv) + ": interrupted");
        }
    }

    /** One plain daemon thread per stream: the common pool has a single worker on 2 cores and could deadlock. */
    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                in.transferTo(buf);
                result.complete(buf.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(new UncheckedIOException(e));
            }
        }, "drain");
        t.setDaemon(true);
        t.start();
        return result;
    }
}

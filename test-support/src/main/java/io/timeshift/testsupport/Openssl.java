package io.timeshift.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the {@code openssl} CLI. Tests that need real TLS servers or certificates call
 * {@link #require()}: without openssl they are skipped on a workstation but fail under
 * {@code CI=true}, so a CI image without openssl cannot turn the TLS suite green by skipping it.
 */
public final class Openssl {
    private static Boolean available;

    private Openssl() {
    }

    public static synchronized void require() {
        if (available == null) {
            try {
                Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
                available = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException | InterruptedException e) {
                available = false;
            }
        }
        if (!available) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("openssl is not installed; the TLS tests need it (apt-get install openssl)");
            }
            Assumptions.abort("openssl is not installed");
        }
    }

    /** Runs openssl with {@code args} in {@code dir}; fails the test on a non-zero exit. Returns stdout+stderr. */
    public static String run(Path dir, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add("openssl");
        argv.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", argv) + " failed:\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", argv) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}

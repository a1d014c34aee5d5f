package io.timeshift.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs packaging/tests/install-test.sh on the .debs this build made: apt install into a
 * debootstrapped Debian 12 root, checks, upgrade, purge, lintian. Bound to integration-test
 * (after jdeb ran at package), see packaging/pom.xml.
 *
 * <p>The script needs root and debootstrap. Without them it exits 77: on a developer machine the
 * test is skipped with the reason; under {@code CI=true} that is a failure, so CI never passes
 * without having installed the packages.
 */
class InstallTest {
    private static final int CANNOT_RUN = 77;

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void debsInstallUpgradeAndPurgeCleanlyInDebian12() throws IOException, InterruptedException {
        boolean ci = "true".equals(System.getenv("CI"));
        Path script = Path.of(System.getProperty("install.test.script", "tests/install-test.sh"));
        Path host = Path.of(System.getProperty("deb.host", ""));
        Path guest = Path.of(System.getProperty("deb.guest", ""));
        assertTrue(Files.isRegularFile(host), "host .deb not built: " + host);
        assertTrue(Files.isRegularFile(guest), "guest .deb not built: " + guest);

        Process p = new ProcessBuilder("bash", script.toString(), host.toString(), guest.toString())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        StringBuilder tail = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println("[install-test] " + line);
                System.out.flush();
                tail.append(line).append('\n');
                if (tail.length() > 8000) {
                    tail.delete(0, tail.length() - 8000);
                }
            }
        }
        int rc = p.waitFor();
        if (rc == CANNOT_RUN) {
            String why = "install test cannot run here: " + tail.toString().strip();
            if (ci) {
                fail(why + " (CI=true: install debootstrap and run as root)");
            }
            Assumptions.abort(why);
        }
        assertEquals(0, rc, "install-test.sh failed:\n" + tail);
    }
}

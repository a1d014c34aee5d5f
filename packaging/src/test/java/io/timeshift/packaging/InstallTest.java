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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs packaging/tests/install-test.sh on the .debs this build made, once per Debian release a
 * Proxmox VE we support is built on: apt install into a debootstrapped root of that release,
 * checks (the Java runtime apt chose is the one both launchers run and the AppCDS archive is made
 * for), upgrade, purge, lintian. Bound to integration-test (after jdeb ran at package), see
 * packaging/pom.xml.
 *
 * <p>The script needs root and debootstrap. Without them it exits 77: on a developer machine the
 * test is skipped with the reason; under {@code CI=true} that is a failure, so CI never passes
 * without having installed the packages in every release.
 */
class InstallTest {
    private static final int CANNOT_RUN = 77;

    /** The Debian releases under the supported Proxmox VE versions, with the runtime each brings. */
    enum Target {
        PVE8("bookworm", "Proxmox VE 8 (Debian 12 bookworm, openjdk-17)"),
        PVE9("trixie", "Proxmox VE 9 (Debian 13 trixie, openjdk-21)");

        final String suite;
        private final String label;

        Target(String suite, String label) {
            this.suite = suite;
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(Target.class)
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void debsInstallUpgradeAndPurgeCleanly(Target target) throws IOException, InterruptedException {
        boolean ci = "true".equals(System.getenv("CI"));
        Path script = Path.of(System.getProperty("install.test.script", "tests/install-test.sh"));
        Path host = Path.of(System.getProperty("deb.host", ""));
        Path guest = Path.of(System.getProperty("deb.guest", ""));
        assertTrue(Files.isRegularFile(host), "host .deb not built: " + host);
        assertTrue(Files.isRegularFile(guest), "guest .deb not built: " + guest);

        String tag = "[install-test " + target.suite + "] ";
        Process p = new ProcessBuilder("bash", script.toString(), "--suite", target.suite,
                        host.toString(), guest.toString())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        StringBuilder tail = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println(tag + line);
                System.out.flush();
                tail.append(line).append('\n');
                if (tail.length() > 8000) {
                    tail.delete(0, tail.length() - 8000);
                }
            }
        }
        int rc = p.waitFor();
        if (rc == CANNOT_RUN) {
            String why = "install test (" + target.suite + ") cannot run here: " + tail.toString().strip();
            if (ci) {
                fail(why + " (CI=true: install debootstrap and run as root)");
            }
            Assumptions.abort(why);
        }
        assertEquals(0, rc, "install-test.sh --suite " + target.suite + " failed:\n" + tail);
    }
}

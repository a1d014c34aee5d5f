package io.timeshift.host.admin;

import io.timeshift.host.testing.TempHost;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** doctor's standalone checks, one class each: their verdicts, problems and fixes, word for word. */
class DoctorChecksTest {
    @TempDir
    Path dir;

    private static DoctorService.Check ok(String check, String detail) {
        return new DoctorService.Check(check, true, detail, null);
    }

    private static DoctorService.Check bad(String check, String detail, String fix) {
        return new DoctorService.Check(check, false, detail, fix);
    }

    @Nested
    class Java {
        @Test
        void seventeenOrLaterIsOkAndNamesTheRuntime() {
            assertEquals(List.of(ok("java", "Java 17.0.9+9 (/usr/lib/jvm/java-17)")),
                    new JavaCheck(Runtime.Version.parse("17.0.9+9"), "/usr/lib/jvm/java-17").run());
        }

        @Test
        void anOlderRuntimeIsAProblemWithThePackagesToInstall() {
            assertEquals(List.of(bad("java", "Java 11.0.2 is too old (17 or later needed)",
                            "apt install openjdk-17-jre-headless (Proxmox VE 8) or openjdk-21-jre-headless (Proxmox VE 9)")),
                    new JavaCheck(Runtime.Version.parse("11.0.2"), "/usr/lib/jvm/java-11").run());
        }
    }

    @Nested
    class HostConfigFile {
        @Test
        void absentMeansBuiltInDefaults() {
            Path f = dir.resolve("config.json");
            assertEquals(List.of(ok("config", f + " absent: built-in defaults")), new HostConfigCheck(f).run());
        }

        @Test
        void validIsOkAndInvalidNamesTheFileToFix() throws Exception {
            Path f = dir.resolve("config.json");
            Files.writeString(f, "{}");
            assertEquals(List.of(ok("config", f + " is valid")), new HostConfigCheck(f).run());

            Files.writeString(f, "{\"nope\": 1}");
            List<DoctorService.Check> c = new HostConfigCheck(f).run();
            assertEquals(1, c.size());
            assertEquals(false, c.get(0).ok());
            assertEquals(true, c.get(0).detail().startsWith(f + ": field 'nope': unknown"), c.get(0).detail());
            assertEquals("fix the named field in " + f, c.get(0).fix());
        }
    }

    @Nested
    class WritableDirs {
        @Test
        void aMissingStateDirectoryIsAProblemFixedByCreatingIt() throws Exception {
            TempHost host = new TempHost(dir);
            Files.createDirectories(host.paths().logDir());
            deleteTree(host.paths().stateDir());

            List<DoctorService.Check> c = new WritableDirsCheck(host.paths()).run();

            assertEquals(3, c.size(), c.toString());
            assertEquals("pmxcfs", c.get(0).check());
            assertEquals(bad("dirs", host.paths().stateDir() + " does not exist (the package creates it)",
                    "mkdir -p " + host.paths().stateDir()), c.get(1));
            assertEquals(ok("dirs", host.paths().logDir() + " is writable"), c.get(2));
        }

        @Test
        void aReadOnlyPolicyDirectoryIsTheQuorumProblem() throws Exception {
            TempHost host = new TempHost(dir);
            Path policies = host.paths().policyDir();
            Files.createDirectories(policies);
            Files.setPosixFilePermissions(policies, PosixFilePermissions.fromString("r-xr-xr-x"));
            try {
                DoctorService.Check c = new WritableDirsCheck(host.paths()).run().get(0);

                assertEquals(bad("pmxcfs", policies + " is read-only (mode 0555) (without quorum /etc/pve is read-only)",
                        "check the cluster quorum: pvecm status"), c);
            } finally {
                Files.setPosixFilePermissions(policies, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    private static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}

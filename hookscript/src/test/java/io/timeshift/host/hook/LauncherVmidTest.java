package io.timeshift.host.hook;

import io.timeshift.host.testing.TempHost;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One VMID rule, Proxmox's pve-vmid ({@code ^[1-9][0-9]{2,8}$}), in the launcher's no-JVM fast path
 * (packaging/bin/time-shift, run here as the shell script it is) and in the JVM's hook: same verdict, same
 * exit code, same line. {@code +100} used to pass the shell (not digits: on to the JVM) and then the JVM
 * ({@code Integer.parseInt}): VM 100's pre-start ran for a VMID Proxmox never gives.
 */
class LauncherVmidTest {
    private static final Path LAUNCHER = Path.of("..", "packaging", "bin", "time-shift").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) {
    }

    private Map<String, String> env(TempHost host) {
        return Map.of("TIME_SHIFT_PVE_DIR", host.paths().pveDir().toString(),
                "TIME_SHIFT_RUN_DIR", host.paths().runDir().toString(),
                "TIME_SHIFT_STATE_DIR", host.paths().stateDir().toString(),
                "TIME_SHIFT_LOG_DIR", host.paths().logDir().toString(),
                "TIME_SHIFT_CONFIG", host.paths().configFile().toString());
    }

    private Outcome jvm(TempHost host, String vmid) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = HookMain.run(new String[] {"hook", vmid, "pre-start"}, env(host),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The launcher as Proxmox runs it (LC_ALL=C); {@code classPath} is what a started JVM would get. */
    private Outcome launcher(TempHost host, String vmid, String classPath) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", LAUNCHER.toString(), "hook", vmid, "pre-start");
        Map<String, String> e = pb.environment();
        e.clear();
        e.putAll(env(host));
        e.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        e.put("LC_ALL", "C");
        e.put("JAVA_HOME", System.getProperty("java.home"));
        e.put("TIME_SHIFT_CDS", "off");
        e.put("TIME_SHIFT_HOOK_CLASSPATH", classPath);
        e.put("TIME_SHIFT_CLASSPATH", classPath);
        Path outFile = dir.resolve("out");
        Path errFile = dir.resolve("err");
        Process p = pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        return new Outcome(p.exitValue(), Files.readString(outFile), Files.readString(errFile));
    }

    @Nested
    class AVmidProxmoxAccepts {
        @ParameterizedTest(name = "hook \"{0}\"")
        @ValueSource(strings = {"100", "105", "999999999", "123456789"})
        void withoutAPolicyExitsZeroInTheShellWithoutStartingAJvm(String vmid) throws Exception {
            TempHost host = new TempHost(dir);
            // a JVM started on this class path could not even find its main class (exit 1, a line on stderr)
            Outcome shell = launcher(host, vmid, dir.resolve("no-classes").toString());

            assertEquals(new Outcome(0, "", ""), shell);
            assertEquals(shell, jvm(host, vmid));
        }
    }

    @Nested
    class AnythingElse {
        @ParameterizedTest(name = "hook \"{0}\"")
        @ValueSource(strings = {"0", "99", "+100", "0100", "00100", "1000000000", "9999999999", "-1", "-100", "",
            " ", " 100", "100 ", "1 00", "10\t0", "100\n", "١٠٠", "１００", "1e3", "0x64", "100.0", "*", "?00", "[1]00"})
        void isRefusedByTheJvmExactlyAsTheJavaHookRefusesIt(String vmid) throws Exception {
            TempHost host = new TempHost(dir);
            host.confWith(100).policy(io.timeshift.host.testing.PolicyJson.fixed(100, "2021-03-01T12:00:00Z"));

            Outcome shell = launcher(host, vmid, System.getProperty("java.class.path"));

            Outcome java = jvm(host, vmid);
            assertEquals(2, java.code(), java.err());
            assertEquals(java, shell);
            assertEquals(1, shell.err().lines().count(), shell.err());
            assertTrue(shell.err().contains("is not a VMID (100-999999999)"), shell.err());
        }
    }

    @Nested
    class TheJavaRule {
        @Property(tries = 2000)
        void agreesWithPveVmidOnAnyString(@ForAll String text) {
            boolean proxmox = text.matches("[1-9][0-9]{2,8}"); // pve-common JSONSchema.pm pve_verify_vmid
            int v = Vmid.parse(text);

            assertEquals(proxmox, v >= 0, text);
            if (proxmox) {
                assertEquals(Integer.parseInt(text), v);
            }
        }

        @Property(tries = 2000)
        void agreesWithPveVmidOnAnyDigitString(@ForAll @net.jqwik.api.constraints.CharRange(from = '0', to = '9')
                                                @net.jqwik.api.constraints.StringLength(max = 12) String text) {
            assertEquals(text.matches("[1-9][0-9]{2,8}"), Vmid.parse(text) >= 0, text);
        }

        @Property(tries = 500)
        void theCommandLineConverterAcceptsWhatTheHookAcceptsAndRefusesTheRestWithItsTypeError(@ForAll String text) {
            try {
                assertEquals(Vmid.parse(text), (int) new io.timeshift.host.cli.VmidConverter().convert(text));
            } catch (picocli.CommandLine.TypeConversionException e) {
                assertEquals(-1, Vmid.parse(text));
                assertTrue(e.getMessage().endsWith("is not a VMID (a number from 100 to 999999999)"), e.getMessage());
            }
        }
    }

    @SuppressWarnings("unused")
    private static final List<String> CASES_OF_THE_BRIEF = List.of("0", "99", "100", "+100", "0100", "999999999",
            "1000000000", "-1", "", " ", "١٠٠");
}

package io.timeshift.guest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timeshift.guest.GuestContext;
import io.timeshift.guest.testsupport.Cli;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Exit codes and the shape of errors, for every command. */
class MainTest {
    static Cli.Run run(String... args) {
        return Cli.run(Cli.context(Clock.systemUTC()), args);
    }

    @Nested
    class HelpAndVersion {
        @Test
        void versionPrintsTheProjectVersion() {
            Cli.Run r = run("--version");
            assertEquals(0, r.exitCode());
            assertTrue(r.out().matches("time-shift-guest \\d+\\.\\d+\\.\\d+.*\n"), r.out());
        }

        @Test
        void helpListsEveryCommandAndTheExitCodes() {
            Cli.Run r = run("--help");
            assertEquals(0, r.exitCode());
            for (String s : new String[] {"verify", "probe", "plan", "hold", "Exit codes: 0 ok, 1 a check failed, 2 invalid input, 3"}) {
                assertTrue(r.out().contains(s), s);
            }
        }

        @Test
        void subcommandHelpWorks() {
            Cli.Run r = run("probe", "--help");
            assertEquals(0, r.exitCode());
            assertTrue(r.out().contains("--timeout=<duration>"), r.out());
        }
    }

    @Nested
    class InvalidInput {
        @Test
        void missingCommandIsExitTwo() {
            Cli.Run r = run();
            assertEquals(2, r.exitCode());
            assertEquals("error: missing command: verify, probe, plan or hold (see 'time-shift-guest --help')\n", r.err());
        }

        @Test
        void missingTargetIsExitTwoOnOneLine() {
            Cli.Run r = run("probe");
            assertEquals(2, r.exitCode());
            assertEquals("error: Missing required parameter: '<target>' (see 'time-shift-guest probe --help')\n", r.err());
        }

        @Test
        void badTargetIsExitTwoNamingTheValidForms() {
            Cli.Run r = run("probe", "ftp://bmc");
            assertEquals(2, r.exitCode());
            assertEquals("error: target 'ftp://bmc': only https:// URLs can be probed; use host, host:port or https://host[:port] "
                    + "(IPv6 as [::1]:443)\n", r.err());
        }

        @Test
        void badDurationIsExitTwoNamingTheValidForms() {
            Cli.Run r = run("plan", "--timeout", "forever", "bmc");
            assertEquals(2, r.exitCode());
            assertTrue(r.err().startsWith("error: Invalid value for option '--timeout': 'forever' is not a duration (use ISO-8601"), r.err());
            assertEquals(1, r.err().lines().count());
        }

        @Test
        void zeroTimeoutIsRejected() {
            Cli.Run r = run("probe", "--timeout", "0s", "bmc");
            assertEquals(2, r.exitCode());
            assertEquals("error: --timeout must be positive, e.g. 10s or PT10S\n", r.err());
        }

        @org.junit.jupiter.params.ParameterizedTest
        @org.junit.jupiter.params.provider.ValueSource(strings = {"P2D", "PT10M0.001S"})
        void aTimeoutOverTenMinutesIsExitTwoNotAnOverflow(String timeout) {
            Cli.Run r = run("probe", "--timeout", timeout, "bmc");
            assertEquals(2, r.exitCode(), r.err());
            assertEquals("error: --timeout must be at most 10m (PT10M), e.g. 10s or PT10S\n", r.err());
        }

        @Test
        void aTimeoutBeyondTheGrammarsBoundIsExitTwoNamingTheBound() {
            Cli.Run r = run("probe", "--timeout", "P999999999D", "bmc");
            assertEquals(2, r.exitCode(), r.err());
            assertTrue(r.err().startsWith("error: Invalid value for option '--timeout': 'P999999999D' is beyond 100 years"), r.err());
            assertEquals(1, r.err().split("\n").length, r.err());
        }
    }

    @Nested
    class EnvironmentErrors {
        @Test
        void oneLineWithoutStackTrace() {
            Cli.Run r = run("verify");
            assertEquals(3, r.exitCode());
            assertEquals(1, r.err().lines().count(), r.err());
            assertFalse(r.err().contains("\tat "), r.err());
        }

        @Test
        void verboseAddsTheStackTrace() {
            Cli.Run r = run("verify", "--verbose");
            assertEquals(3, r.exitCode());
            assertTrue(r.err().contains("\tat io.timeshift.guest.clock.ClockVerifier.verify"), r.err());
        }
    }

    @Test
    void guestDirComesFromTheEnvironment() {
        assertEquals(Path.of("/srv/ts/policy.json"), GuestContext.system(Map.of("TIME_SHIFT_GUEST_DIR", "/srv/ts")).policyFile());
        assertEquals(Path.of("/var/lib/time-shift-guest/policy.json"), GuestContext.system(Map.of()).policyFile());
    }
}

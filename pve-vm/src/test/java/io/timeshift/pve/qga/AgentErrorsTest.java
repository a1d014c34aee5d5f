package io.timeshift.pve.qga;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The guest-agent error classifier against the exact bytes qemu-ga sends (sources in docs/qga-errors.md),
 * and against what a hostile guest might send instead.
 */
class AgentErrorsTest {

    /** (class, desc, kind): the real upstream strings, byte for byte. */
    static Stream<Arguments> upstreamErrors() {
        return Stream.of(
                // guest-set-time, hwclock -w failed after settimeofday succeeded (QEMU <= 8.2, Debian 12's 7.2)
                arguments("GenericError", "hwclock failed to set hardware clock to system time",
                        AgentErrorKind.HARDWARE_CLOCK),
                // the same since QEMU 9.0 (ga_run_command): no output, output, and a missing /sbin/hwclock
                arguments("GenericError", "child process has failed to set hardware clock to system time",
                        AgentErrorKind.HARDWARE_CLOCK),
                arguments("GenericError", "child process has failed to set hardware clock to system time: exit status 1",
                        AgentErrorKind.HARDWARE_CLOCK),
                arguments("GenericError", "child process has failed to set hardware clock to system time: "
                        + "failed to exec '/sbin/hwclock': No such file or directory\n", AgentErrorKind.HARDWARE_CLOCK),
                arguments("GenericError", "child process has failed to set hardware clock to system time: "
                        + "hwclock: Cannot access the Hardware Clock via any known method.\n",
                        AgentErrorKind.HARDWARE_CLOCK),
                // QERR_UNSUPPORTED: qemu-ga 7.2 guest-set-time without /sbin/hwclock, stubbed commands
                arguments("GenericError", "this feature or command is not currently supported",
                        AgentErrorKind.UNSUPPORTED),
                // qapi/qmp-dispatch.c: unknown command (an older agent, or one not built for this OS)
                arguments("CommandNotFound", "The command guest-get-timezone has not been found",
                        AgentErrorKind.UNSUPPORTED),
                arguments("CommandNotFound", "The command guest-get-cpustats has not been found",
                        AgentErrorKind.UNSUPPORTED),
                // --block-rpcs (7.2: no reason), --allow-rpcs and everything since 9.1, and the older form
                arguments("CommandNotFound", "Command guest-exec has been disabled", AgentErrorKind.DISABLED),
                arguments("CommandNotFound", "Command guest-set-time has been disabled: the command is not allowed",
                        AgentErrorKind.DISABLED),
                arguments("GenericError", "The command guest-file-open has been disabled for this instance",
                        AgentErrorKind.DISABLED),
                // filesystem freeze (guest-fsfreeze-freeze) up to QEMU 9.0
                arguments("CommandNotFound", "Command guest-set-time has been disabled: the agent is in frozen state",
                        AgentErrorKind.FROZEN),
                // other real refusals: not one of the kinds
                arguments("GenericError", "Invalid time", AgentErrorKind.OTHER),
                arguments("GenericError", "Invalid time: Invalid argument", AgentErrorKind.OTHER),
                arguments("GenericError", "Time 9223372036854775807 is too large", AgentErrorKind.OTHER),
                arguments("GenericError", "Failed to set time to guest: Operation not permitted", AgentErrorKind.OTHER),
                arguments("GenericError", "Invalid parameter 'pid'", AgentErrorKind.OTHER),
                arguments("GenericError", "handle '7' has not been found", AgentErrorKind.OTHER),
                arguments("GenericError", "Guest agent command failed, error was 'Failed to execute child process "
                        + "\u201cdate\u201d (No such file or directory)'", AgentErrorKind.OTHER),
                arguments("GenericError", "Time argument is required on this platform", AgentErrorKind.OTHER),
                arguments("GenericError", "Windows Time service not running on the guest", AgentErrorKind.OTHER),
                arguments("GenericError", "QMP input member 'arguments' must be an object", AgentErrorKind.OTHER));
    }

    @ParameterizedTest(name = "[{index}] {1} -> {2}")
    @MethodSource("upstreamErrors")
    void classifiesTheRealAgentStrings(String errorClass, String desc, AgentErrorKind kind) {
        assertEquals(kind, AgentErrors.classify(errorClass, desc));
        assertEquals(kind, new AgentErrorException(105, "guest-set-time", errorClass, desc).kind());
    }

    @Nested
    class ExactFormsOnly {
        @Test
        void notFoundCountsOnlyWithTheCommandNotFoundClass() {
            assertEquals(AgentErrorKind.OTHER,
                    AgentErrors.classify("GenericError", "The command guest-set-time has not been found"));
            assertEquals(AgentErrorKind.OTHER,
                    AgentErrors.classify(null, "The command guest-set-time has not been found"));
        }

        @Test
        void theHardwareClockPrefixNeedsItsColonSeparator() {
            assertEquals(AgentErrorKind.OTHER,
                    AgentErrors.classify("GenericError", "child process has failed to set hardware clock to system timeX"));
            assertEquals(AgentErrorKind.OTHER,
                    AgentErrors.classify("GenericError", "hwclock failed to set hardware clock to system time: more"));
        }

        @Test
        void aDisableReasonWithControlCharactersOrOfAMegabyteIsNotTrusted() {
            assertEquals(AgentErrorKind.OTHER,
                    AgentErrors.classify("CommandNotFound", "Command guest-exec has been disabled: a\u001b[2Jb"));
            assertEquals(AgentErrorKind.OTHER,
                    AgentErrors.classify("CommandNotFound", "Command guest-exec has been disabled: " + "x".repeat(1 << 20)));
            assertEquals(AgentErrorKind.OTHER,
                    AgentErrors.classify("CommandNotFound", "Command guest-exec has been disabled: "));
            assertEquals(AgentErrorKind.OTHER,
                    AgentErrors.classify("CommandNotFound", "Command guest-exec has been disabled!"));
        }

        @Test
        void theCommandNameMustLookLikeAQapiName() {
            assertEquals(AgentErrorKind.OTHER,
                    AgentErrors.classify("CommandNotFound", "Command  has been disabled"));
            assertEquals(AgentErrorKind.OTHER,
                    AgentErrors.classify("CommandNotFound", "Command guest\u0000exec has been disabled"));
            assertEquals(AgentErrorKind.OTHER,
                    AgentErrors.classify("CommandNotFound", "The command " + "a".repeat(129) + " has not been found"));
            assertEquals(AgentErrorKind.UNSUPPORTED,
                    AgentErrors.classify("CommandNotFound", "The command " + "a".repeat(128) + " has not been found"));
            assertEquals(AgentErrorKind.OTHER,
                    AgentErrors.classify("CommandNotFound", "The command guest-ping"));
            assertEquals(AgentErrorKind.OTHER, AgentErrors.classify("CommandNotFound", "Command guest-ping"));
        }

        @Test
        void aFrozenReasonWithTrailingBytesIsNoLongerFrozen() {
            assertEquals(AgentErrorKind.DISABLED, AgentErrors.classify("CommandNotFound",
                    "Command guest-set-time has been disabled: the agent is in frozen state, really"));
            assertEquals(AgentErrorKind.OTHER, AgentErrors.classify("CommandNotFound",
                    "Command guest-set-time has been disabled: the agent is in frozen state\n"));
        }
    }

    /** What a hostile guest may put in desc: all OTHER, nothing thrown. */
    static Stream<Arguments> hostileDescs() {
        return Stream.of(
                arguments((Object) null),
                arguments(""),
                arguments("\u0000"),
                arguments("this feature or command is not currently supported\u0000"),
                arguments("\u0000this feature or command is not currently supported"),
                arguments("this feature or command is not\ncurrently supported"),
                arguments("THIS FEATURE OR COMMAND IS NOT CURRENTLY SUPPORTED"),
                arguments("hwclock failed to set hardware clock to system time\r\n"),
                arguments("hwclock failed to set\u001b[2J hardware clock to system time"),
                arguments("\uD800hwclock failed to set hardware clock to system time"),
                arguments("A".repeat(8 << 20)),
                arguments("Command " + "g".repeat(4 << 20) + " has been disabled"),
                arguments("The command \uFFFF has not been found"),
                arguments("hardware clock"),
                arguments("not currently supported"),
                arguments("locked"),
                arguments("Command"),
                arguments("The command "));
    }

    @ParameterizedTest
    @MethodSource("hostileDescs")
    void hostileDescsAreOtherWithoutThrowing(String desc) {
        assertSame(AgentErrorKind.OTHER, AgentErrors.classify("CommandNotFound", desc));
        assertSame(AgentErrorKind.OTHER, AgentErrors.classify(null, desc));
        assertSame(AgentErrorKind.OTHER, AgentErrors.classify("\u0000", desc));
    }

    @Test
    void aNullExceptionIsOther() {
        assertSame(AgentErrorKind.OTHER, AgentErrors.classify((AgentErrorException) null));
    }

    @Property(tries = 2000)
    void anyStringIsClassifiedWithoutThrowing(@ForAll String errorClass, @ForAll String desc) {
        AgentErrors.classify(errorClass, desc);
    }

    @Property(tries = 2000)
    void anythingBeforeAKnownFormMakesItOther(@ForAll String junk, @ForAll String desc) {
        String prefix = junk.isEmpty() ? "x" : junk.charAt(0) == 't' || junk.charAt(0) == 'h' || junk.charAt(0) == 'c'
                || junk.charAt(0) == 'T' || junk.charAt(0) == 'C' ? "x" + junk : junk;
        assertSame(AgentErrorKind.OTHER, AgentErrors.classify("CommandNotFound", prefix + desc));
        assertSame(AgentErrorKind.OTHER, AgentErrors.classify("CommandNotFound",
                prefix + "this feature or command is not currently supported"));
    }
}

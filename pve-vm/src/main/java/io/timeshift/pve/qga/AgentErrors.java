package io.timeshift.pve.qga;

/**
 * The one classifier for QEMU guest agent errors: maps an {@code {"error":{"class":..,"desc":..}}} reply
 * to an {@link AgentErrorKind}. Matches the exact message forms qemu-ga produces (docs/qga-errors.md
 * lists them with their sources); everything else, a hostile or garbled desc included, is
 * {@link AgentErrorKind#OTHER}. Never throws, whatever the input (null, NUL, controls, megabytes).
 *
 * <p>Hand-written matching (no regex, no lambdas): usable on the hook path.
 */
public final class AgentErrors {
    /** {@code QERR_UNSUPPORTED} (qapi/qmp/qerror.h until QEMU 9.0, then the same literal in qga). */
    static final String UNSUPPORTED = "this feature or command is not currently supported";
    /** qga/commands-posix.c {@code qmp_guest_set_time} up to QEMU 8.2: {@code hwclock -w} exited non-zero. */
    static final String HWCLOCK_OLD = "hwclock failed to set hardware clock to system time";
    /**
     * qga/commands-posix.c {@code ga_run_command(argv, NULL, "set hardware clock to system time")} since
     * QEMU 9.0; followed by nothing, or by ": " and the child's output or its exit status.
     */
    static final String HWCLOCK_NEW = "child process has failed to set hardware clock to system time";
    /** The disable reason qga/main.c gives while the filesystems are frozen (7.2, up to QEMU 9.0). */
    static final String FROZEN_REASON = "the agent is in frozen state";

    /** Longest command name accepted inside a desc; QEMU's own are under 40 characters. */
    static final int MAX_COMMAND_NAME = 128;

    private AgentErrors() {
    }

    /** The kind of {@code e}'s refusal. */
    public static AgentErrorKind classify(AgentErrorException e) {
        return e == null ? AgentErrorKind.OTHER : classify(e.errorClass(), e.desc());
    }

    /**
     * The kind of an agent error with this {@code class} and {@code desc} (either may be null). The
     * class only confirms: "The command X has not been found" counts only with class
     * {@code CommandNotFound}, which QEMU has always used for it.
     */
    public static AgentErrorKind classify(String errorClass, String desc) {
        if (desc == null) {
            return AgentErrorKind.OTHER;
        }
        if (desc.equals(UNSUPPORTED)) {
            return AgentErrorKind.UNSUPPORTED;
        }
        if (desc.equals(HWCLOCK_OLD)) {
            return AgentErrorKind.HARDWARE_CLOCK;
        }
        if (desc.startsWith(HWCLOCK_NEW)
                && (desc.length() == HWCLOCK_NEW.length() || desc.startsWith(": ", HWCLOCK_NEW.length()))) {
            return AgentErrorKind.HARDWARE_CLOCK;
        }
        // "The command X has not been found" (CommandNotFound), "The command X has been disabled for this instance"
        if (desc.startsWith("The command ")) {
            int end = commandNameEnd(desc, "The command ".length());
            if (end > 0) {
                if (endsAt(desc, end, " has not been found") && "CommandNotFound".equals(errorClass)) {
                    return AgentErrorKind.UNSUPPORTED;
                }
                if (endsAt(desc, end, " has been disabled for this instance")) {
                    return AgentErrorKind.DISABLED;
                }
            }
            return AgentErrorKind.OTHER;
        }
        // "Command X has been disabled", optionally ": <reason>" (qapi/qmp-dispatch.c, 7.2 and later)
        if (desc.startsWith("Command ")) {
            int end = commandNameEnd(desc, "Command ".length());
            int reason = end + " has been disabled".length();
            if (end > 0 && desc.startsWith(" has been disabled", end)) {
                if (desc.length() == reason) {
                    return AgentErrorKind.DISABLED;
                }
                if (endsAt(desc, reason, ": " + FROZEN_REASON)) {
                    return AgentErrorKind.FROZEN;
                }
                if (desc.startsWith(": ", reason) && printable(desc, reason + 2)) {
                    return AgentErrorKind.DISABLED;
                }
            }
            return AgentErrorKind.OTHER;
        }
        return AgentErrorKind.OTHER;
    }

    /**
     * The index just past a QAPI command name starting at {@code from} (letters, digits, '-', '_', '.',
     * 1 to {@link #MAX_COMMAND_NAME} characters, ended by a space), or -1.
     */
    private static int commandNameEnd(String s, int from) {
        int i = from;
        int limit = Math.min(s.length(), from + MAX_COMMAND_NAME + 1);
        while (i < limit) {
            char c = s.charAt(i);
            if (c == ' ') {
                return i > from ? i : -1;
            }
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.';
            if (!ok) {
                return -1;
            }
            i++;
        }
        return -1;
    }

    /** {@code s} from {@code at} to its end is exactly {@code tail}. */
    private static boolean endsAt(String s, int at, String tail) {
        return s.length() - at == tail.length() && s.startsWith(tail, at);
    }

    /**
     * True when {@code s} from {@code from} on is 1 to 256 characters of printable ASCII (a disable reason
     * is a fixed English phrase).
     */
    private static boolean printable(String s, int from) {
        int n = s.length() - from;
        if (n < 1 || n > 256) {
            return false;
        }
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}

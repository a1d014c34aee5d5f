package io.timeshift.pve.qga;

/**
 * What a QEMU guest agent {@code {"error":{...}}} reply means for the caller, as decided by
 * {@link AgentErrors#classify}. The strings behind each kind, with their upstream sources, are in
 * docs/qga-errors.md.
 */
public enum AgentErrorKind {
    /**
     * {@code guest-set-time} set the system time, then {@code hwclock} failed: the guest runs at the
     * new time but its RTC was not written (a guest reboot loses the shift). Verify with
     * {@code guest-get-time}.
     */
    HARDWARE_CLOCK,
    /**
     * The agent does not have the command or feature: {@code QERR_UNSUPPORTED} ("this feature or command is
     * not currently supported", e.g. qemu-ga 7.2's {@code guest-set-time} in a guest without
     * {@code /sbin/hwclock}), or "The command X has not been found" (older agent, other OS). Permanent for
     * this agent: fall back or give up, do not retry.
     */
    UNSUPPORTED,
    /**
     * The administrator blocked the command ({@code --block-rpcs}/{@code --allow-rpcs} in the guest, or
     * since QEMU 9.1 also during a filesystem freeze, which then reads the same). Permanent unless the
     * guest's configuration changes.
     */
    DISABLED,
    /**
     * The agent is in its filesystem-freeze state ({@code guest-fsfreeze-freeze}, e.g. during a snapshot
     * backup) and refuses every command but ping, info, sync and the fsfreeze status/thaw ones until
     * thawed: transient, retry later. This is the only "busy/locked" condition qemu-ga reports as an
     * error; a busy agent otherwise just does not answer (see {@link AgentNotAnsweringException}).
     */
    FROZEN,
    /** Anything else, including every string that is not one of the above forms exactly. */
    OTHER
}

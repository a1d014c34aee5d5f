package io.timeshift.pve.qga;

/**
 * The reply of {@code guest-exec-status}, with {@code out-data}/{@code err-data} base64-decoded.
 * qemu-ga frees the entry once it has reported {@code exited:true}: a second query for the same pid
 * fails with "Invalid parameter 'pid'" (docs/pve-facts.md §4.2).
 *
 * @param exited        the process has ended
 * @param exitCode      its exit code, if it exited normally ({@code null} while running or if killed)
 * @param signal        the signal that killed it, if any
 * @param out           captured stdout (empty if none or not captured); at most 16 MiB in the guest
 * @param err           captured stderr (empty if none or not captured)
 * @param outTruncated  the guest cut stdout at its 16 MiB limit
 * @param errTruncated  the guest cut stderr at its 16 MiB limit
 */
public record ExecStatus(boolean exited, Integer exitCode, Integer signal, byte[] out, byte[] err,
                         boolean outTruncated, boolean errTruncated) {}

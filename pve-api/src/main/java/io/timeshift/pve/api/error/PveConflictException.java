package io.timeshift.pve.api.error;

import io.timeshift.common.error.EnvironmentException;

/**
 * The request conflicts with the current state of the VM or the cluster: someone else changed the
 * config (digest), the VM is locked, a lock could not be taken in time, the cluster has no quorum,
 * the VM or its guest agent is not running. PVE raises all of these as a plain 500 with a fixed
 * text; {@link PveErrorClassifier} documents each matched message. Exit 3.
 */
public class PveConflictException extends EnvironmentException implements PveError {

    /** Which conflict; each names the upstream message it comes from. */
    public enum Reason {
        /** {@code checksum mismatch (file change by other user?)} (qemu-server), or
         * {@code detected modified configuration - file change by other user? Try again.} (pve-common). */
        DIGEST_MISMATCH("the configuration was changed by someone else meanwhile; read it again and retry"),
        /** {@code VM is locked (backup)} (pve-common AbstractConfig::check_lock). */
        LOCKED("the VM is locked; wait for the running operation (backup, migrate, snapshot...) to finish"),
        /** {@code can't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout} (pve-common Tools)
         * or {@code cfs-lock '...' error: got lock request timeout} (pve-cluster). */
        LOCK_TIMEOUT("another operation holds the lock; retry in a few seconds"),
        /** {@code cfs-lock 'file-user_cfg' error: no quorum!} or {@code cluster not ready - no quorum?}. */
        NO_QUORUM("the cluster has no quorum, /etc/pve is read-only; check pvecm status"),
        /** {@code VM 105 not running} (qemu-server) or {@code VM 105 is not running} (agent). */
        VM_NOT_RUNNING("the VM is not running"),
        /** {@code QEMU guest agent is not running} (qemu-server Agent.pm). */
        AGENT_NOT_RUNNING("the QEMU guest agent does not answer inside the VM; install/start qemu-guest-agent"),
        /** {@code No QEMU guest agent configured} (qemu-server Agent.pm). */
        AGENT_NOT_CONFIGURED("the VM has no guest agent configured; set agent: 1 and restart the VM");

        private final String hint;

        Reason(String hint) {
            this.hint = hint;
        }

        public String hint() {
            return hint;
        }
    }

    private final PveFailure failure;
    private final Reason reason;

    public PveConflictException(String operation, int status, String pveMessage, Reason reason) {
        super(ErrorText.prefix(operation) + ErrorText.firstLine(pveMessage) + ": " + reason.hint());
        this.failure = PveFailure.answered(operation, status, pveMessage);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public PveFailure failure() {
        return failure;
    }
}

package io.timeshift.pve.qga;

import io.timeshift.common.error.EnvironmentException;

/** A QEMU guest agent exchange failed. Subtypes say how; all map to exit 3 (environment). */
public abstract class AgentException extends EnvironmentException {
    private final int vmid;

    protected AgentException(int vmid, String message, Throwable cause) {
        super(message, cause);
        this.vmid = vmid;
    }

    public int vmid() {
        return vmid;
    }
}

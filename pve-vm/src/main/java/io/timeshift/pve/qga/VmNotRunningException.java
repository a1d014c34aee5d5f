package io.timeshift.pve.qga;

/** The agent socket does not exist or refuses connections: QEMU is not running (or has no agent chardev). */
public class VmNotRunningException extends AgentException {
    public VmNotRunningException(int vmid, String message, Throwable cause) {
        super(vmid, message, cause);
    }
}

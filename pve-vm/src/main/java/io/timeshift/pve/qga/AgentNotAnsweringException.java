package io.timeshift.pve.qga;

/** The socket accepted (or connect was tried) but no matching reply arrived within the timeout. */
public class AgentNotAnsweringException extends AgentException {
    public AgentNotAnsweringException(int vmid, String message) {
        super(vmid, message, null);
    }

    public AgentNotAnsweringException(int vmid, String message, Throwable cause) {
        super(vmid, message, cause);
    }
}

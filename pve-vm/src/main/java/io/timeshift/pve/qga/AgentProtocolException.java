package io.timeshift.pve.qga;

/** Bytes from the agent socket that are not the QGA protocol (bad JSON, missing "return", closed mid-reply). */
public class AgentProtocolException extends AgentException {
    public AgentProtocolException(int vmid, String message) {
        super(vmid, message, null);
    }

    public AgentProtocolException(int vmid, String message, Throwable cause) {
        super(vmid, message, cause);
    }
}

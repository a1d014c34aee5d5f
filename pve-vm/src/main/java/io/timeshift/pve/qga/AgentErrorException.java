package io.timeshift.pve.qga;

import io.timeshift.common.text.Sanitizer;

/** The agent answered {@code {"error":{"class":...,"desc":...}}}. */
public class AgentErrorException extends AgentException {
    private final String errorClass;
    private final String desc;

    public AgentErrorException(int vmid, String command, String errorClass, String desc) {
        super(vmid, "VM " + vmid + ": guest agent refused " + command + ": " + io.timeshift.common.text.Sanitizer.value(desc), null);
        this.errorClass = errorClass;
        this.desc = desc;
    }

    public String errorClass() {
        return errorClass;
    }

    public String desc() {
        return desc;
    }

    /** What the refusal means ({@link AgentErrors#classify}). */
    public AgentErrorKind kind() {
        return AgentErrors.classify(errorClass, desc);
    }
}

package io.timeshift.pve.api.error;

import io.timeshift.common.error.EnvironmentException;

/**
 * The VM, storage or path does not exist here. PVE usually says so with a plain 500
 * ({@code Configuration file 'nodes/pve1/qemu-server/105.conf' does not exist}), so this is decided
 * by message, not by status. Exit 3 (the VM may simply live on another node).
 */
public class PveNotFoundException extends EnvironmentException implements PveError {
    private final PveFailure failure;

    public PveNotFoundException(String operation, int status, String pveMessage) {
        super(ErrorText.prefix(operation) + "not found: " + ErrorText.firstLine(pveMessage));
        this.failure = PveFailure.answered(operation, status, pveMessage);
    }

    @Override
    public PveFailure failure() {
        return failure;
    }
}

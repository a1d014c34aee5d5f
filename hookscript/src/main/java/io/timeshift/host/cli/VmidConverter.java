package io.timeshift.host.cli;

import io.timeshift.host.hook.Vmid;
import picocli.CommandLine;

/** Proxmox VMIDs: {@link Vmid}'s rule (pve-common's pve-vmid), the same as the hook's and the launcher's. */
public final class VmidConverter implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
        int v = Vmid.parse(value);
        if (v < 0) {
            throw new CommandLine.TypeConversionException("'" + Vmid.shown(value) + "' is not a VMID (" + Vmid.FORM + ")");
        }
        return v;
    }
}

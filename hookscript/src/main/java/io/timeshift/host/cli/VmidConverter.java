package io.timeshift.host.cli;

import picocli.CommandLine;

/** Proxmox VMIDs are 100..999999999. */
public final class VmidConverter implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
        try {
            int v = Integer.parseInt(value);
            if (v >= 100 && v <= 999_999_999) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not a VMID (a number from 100 to 999999999)");
    }
}

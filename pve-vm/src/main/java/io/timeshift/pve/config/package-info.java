/**
 * Reader for {@code /etc/pve/qemu-server/<vmid>.conf}: {@link io.timeshift.pve.config.VmConfigParser}
 * reads a file as qemu-server's non-strict {@code parse_vm_config} does (what Proxmox skips with a
 * warning is skipped here and listed in {@link io.timeshift.pve.config.VmConfig#warnings()}; file content
 * never throws) and produces a {@link io.timeshift.pve.config.VmConfig} with the main, pending, snapshot
 * and special sections kept apart, the Notes decoded as PVE does, and the file's SHA-1 digest (PVE's
 * optimistic-locking token for config updates). The rules, each with its upstream file and line, are in
 * docs/pve-config-format.md.
 *
 * <p>How to extend: a typed accessor for another key goes on {@code VmConfig} and reads
 * {@code main} (add pending/snapshot variants only when a caller needs them). Model the key's
 * {@code check_type} in {@code VmConfigParser.checkType} from its entry in qemu-server's
 * {@code $confdesc} (type, format), cite it in docs/pve-config-format.md, and add a shape to
 * {@code src/test/resources/pve-config-shapes/}.
 *
 * <p>Common mistakes: reading {@code startdate}/{@code args} from {@code main} when a change is still
 * in {@code pending} (it applies only at the next cold start); treating {@code %} in Notes as always
 * escaped (PVE's {@code encode_text} leaves {@code %} alone, so {@code 100%} stays literal); making the
 * reader stricter than Proxmox (a file Proxmox starts must never fail a hook phase).
 */
package io.timeshift.pve.config;

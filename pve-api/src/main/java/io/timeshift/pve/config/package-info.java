/**
 * Reader for {@code /etc/pve/qemu-server/<vmid>.conf}: {@link io.timeshift.pve.config.VmConfigParser}
 * produces a {@link io.timeshift.pve.config.VmConfig} with the main, pending and snapshot sections
 * kept apart, the Notes decoded as PVE does, and the file's SHA-1 digest (PVE's optimistic-locking
 * token for config updates).
 *
 * <p>How to extend: a typed accessor for another key goes on {@code VmConfig} and reads
 * {@code main} (add pending/snapshot variants only when a caller needs them); property-string keys
 * (like {@code agent}) follow PVE's format: comma-separated {@code k=v}, the first bare value is the
 * {@code default_key}. Check the key's schema in qemu-server's {@code $confdesc} and cite it.
 *
 * <p>Common mistakes: reading {@code startdate}/{@code args} from {@code main} when a change is still
 * in {@code pending} (it applies only at the next cold start); treating {@code %} in Notes as always
 * escaped (PVE's {@code encode_text} leaves {@code %} alone, so {@code 100%} stays literal).
 */
package io.timeshift.pve.config;

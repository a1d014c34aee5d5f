/**
 * QEMU guest agent client: {@link io.timeshift.pve.qga.QgaClient} speaks the Proxmox framing
 * (fresh connection, {@code guest-sync-delimited} with a random id + the command in one write, skip
 * to the 0xFF-prefixed sync reply carrying that id) over a {@link io.timeshift.pve.qga.QgaConnector}.
 *
 * <p>Seams: {@link io.timeshift.pve.qga.UnixSocketQgaConnector} is the only code that touches a
 * socket; tests inject a scripted connector, the sync ids, a {@link io.timeshift.common.time.Monotonic}
 * and a {@link io.timeshift.common.time.Sleeper}, so every timeout is exact and instant.
 * JSON is hand-written ({@code LightJson}) to keep the hook's start-up free of databind.
 *
 * <p>How to extend: see "Adding a command" in {@link io.timeshift.pve.qga.QgaClient}.
 */
package io.timeshift.pve.qga;

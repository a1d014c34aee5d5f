/** Reading what the guest reports about itself (systemd unit state from {@code systemctl show}). */
package io.timeshift.host.guest;

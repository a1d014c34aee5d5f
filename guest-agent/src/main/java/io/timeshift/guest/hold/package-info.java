/**
 * The boot step behind {@code time-shift-guest-hold.service}. Common mistakes: calling
 * {@code systemctl} without {@code --no-block} (its start jobs wait for this unit), running
 * {@code daemon-reload} in early boot, and trusting a command's exit code instead of reading the
 * clock back.
 */
package io.timeshift.guest.hold;

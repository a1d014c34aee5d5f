/**
 * Everything that asks the guest OS: systemd units, the RTC, the systemd epoch. Commands run
 * through {@link io.timeshift.guest.sys.CommandRunner} (argv, never a shell, with a timeout) and
 * files are read under an injected root, so tests script both. Common mistake: asking
 * {@code systemctl is-enabled} per unit; one {@code systemctl show} answers for all of them.
 */
package io.timeshift.guest.sys;

/**
 * time-shift-guest, the command that runs inside the time-shifted jump VM.
 *
 * <p>Layout: {@code cli} (picocli commands: parse, delegate, print, return an exit code),
 * {@code clock} (verify), {@code hold} (the boot step), {@code tls} (probe), {@code plan},
 * {@code sys} (systemctl, RTC, systemd epoch: everything that touches the guest OS, behind the
 * injected {@link io.timeshift.guest.sys.CommandRunner} and filesystem root), {@code time}
 * (parsers, monotonic deadlines), {@code error} (exit codes), {@code json} (the one ObjectMapper).
 * {@link io.timeshift.guest.Main} builds a {@link io.timeshift.guest.GuestContext} once and hands
 * it to the commands; nothing is static or global.
 *
 * <p>How to add a command: a service class taking the {@code GuestContext}, a report record whose
 * component names are the JSON field names, a thin {@code cli} command, a branch in
 * {@code Main.Factory}, a text renderer in {@code cli.Text}, and tests through {@code Main.run}.
 */
package io.timeshift.guest;

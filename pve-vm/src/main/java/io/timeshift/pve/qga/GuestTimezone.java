package io.timeshift.pve.qga;

/**
 * The reply of {@code guest-get-timezone} (qemu {@code qga/qapi-schema.json} {@code GuestTimezone};
 * facts in docs/pve-rtc.md). One implementation serves POSIX and Windows guests (GLib, qemu
 * {@code qga/commands.c}), so the sign is the same everywhere.
 *
 * @param zone          the zone's name as the guest reports it, e.g. {@code CET} or {@code PKT}: an
 *                      abbreviation, informational only (never an IANA id); null when absent
 * @param offsetSeconds seconds EAST of UTC at the time of the call (UTC+05:00 is 18000; the sign of
 *                      {@code java.time.ZoneOffset}); within ±18:00
 */
public record GuestTimezone(String zone, int offsetSeconds) {
    /** {@code java.time.ZoneOffset}'s range, the widest offset accepted from a guest. */
    public static final int MAX_OFFSET_SECONDS = 18 * 3600;
}

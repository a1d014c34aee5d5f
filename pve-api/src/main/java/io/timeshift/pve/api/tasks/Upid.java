package io.timeshift.pve.api.tasks;

import io.timeshift.common.error.InvalidInputException;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PVE task id ("unique process id"), pve-common {@code PVE::UPID}:
 * {@code UPID:<node>:<pid %08X>:<pstart %08X>:<starttime %08X>:<type>:<id>:<user>:} with a trailing
 * colon. {@code pstart} (process start in clock ticks since boot) may have 9 hex digits after 497 days
 * of uptime; {@code id} may be empty; {@code user} may be a token ({@code root@pam!ci}).
 *
 * @param node      node that runs the task
 * @param pid       worker pid
 * @param pstart    worker start time in clock ticks since boot
 * @param starttime task start, epoch seconds (server wall clock)
 * @param type      task type, e.g. {@code qmstart}, {@code qmconfig}
 * @param id        task id, usually the VMID; may be empty
 * @param user      who started it, e.g. {@code root@pam} or {@code root@pam!tok}
 */
public record Upid(String node, long pid, long pstart, long starttime, String type, String id, String user) {
    // Same expression as PVE::UPID::decode.
    private static final Pattern UPID = Pattern.compile(
            "^UPID:([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):"
                    + "([^:\\s/]+):([^:\\s/]*):([^:\\s/]+):$");

    public Upid {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(user, "user");
    }

    /**
     * Parse a UPID.
     *
     * @throws InvalidInputException if it does not have PVE's format
     */
    public static Upid parse(String text) {
        Matcher m = text == null ? null : UPID.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw new InvalidInputException("'" + text + "' is not a Proxmox task id; expected"
                    + " UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>: (hex numbers, trailing colon)");
        }
        return new Upid(m.group(1), Long.parseLong(m.group(3), 16), Long.parseLong(m.group(4), 16),
                Long.parseLong(m.group(5), 16), m.group(6), m.group(7), m.group(8));
    }

    /** True if {@code text} is a UPID. */
    public static boolean isUpid(String text) {
        return text != null && UPID.matcher(text.strip()).matches();
    }

    /** PVE's encoding ({@code PVE::UPID::encode}): upper-case hex, at least 8 digits, trailing colon. */
    public String format() {
        return String.format(Locale.ROOT, "UPID:%s:%08X:%08X:%08X:%s:%s:%s:", node, pid, pstart, starttime, type, id, user);
    }

    /** When the task started (server wall clock). */
    public Instant startTime() {
        return Instant.ofEpochSecond(starttime);
    }

    @Override
    public String toString() {
        return format();
    }
}

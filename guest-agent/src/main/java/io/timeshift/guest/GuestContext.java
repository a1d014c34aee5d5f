package io.timeshift.guest;

import io.timeshift.common.policy.GuestPolicy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.timeshift.guest.json.Json;
import io.timeshift.guest.sys.CommandRunner;
import io.timeshift.guest.sys.ProcessCommandRunner;
import io.timeshift.common.time.Monotonic;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything the services get from the outside world, built once in {@link Main} and passed down
 * through constructors (no static state): the wall clock (only ever for "now" in reports and
 * validity checks), the monotonic clock (every timeout), the command runner, the filesystem root that
 * {@code /sys}, {@code /usr/lib}, {@code /etc} and {@code /var/lib/systemd} are read under, and the
 * guest directory ({@code TIME_SHIFT_GUEST_DIR}, default {@code /var/lib/time-shift-guest}).
 */
public record GuestContext(
        Clock clock, Monotonic monotonic, CommandRunner runner, Path root, Path guestDir, Supplier<ObjectMapper> json) {
    public static final String GUEST_DIR_ENV = "TIME_SHIFT_GUEST_DIR";
    public static final Path DEFAULT_GUEST_DIR = Path.of(GuestPolicy.GUEST_DIR);

    public GuestContext {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(monotonic, "monotonic");
        Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(guestDir, "guestDir");
        Objects.requireNonNull(json, "json");
    }

    /** The production wiring. Jackson is loaded lazily: {@code probe} without {@code --json} never needs it. */
    public static GuestContext system(Map<String, String> env) {
        String dir = env.get(GUEST_DIR_ENV);
        return new GuestContext(
                Clock.systemUTC(),
                Monotonic.SYSTEM,
                new ProcessCommandRunner(),
                Path.of("/"),
                dir == null || dir.isBlank() ? DEFAULT_GUEST_DIR : Path.of(dir),
                memoize(Json::mapper));
    }

    /** The policy file the host's apply writes through the guest agent. */
    public Path policyFile() {
        return guestDir.resolve("policy.json");
    }

    public static <T> Supplier<T> memoize(Supplier<T> s) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = s.get();
                }
                return value;
            }
        };
    }
}

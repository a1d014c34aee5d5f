package io.timeshift.host.demo;

import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.TempHost;
import io.timeshift.host.cli.Cli;
import io.timeshift.host.cli.Services;
import io.timeshift.common.error.InvalidInputException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code time-shift demo --guest busybox|debian}: what is refused before any VM starts, and the
 * certificate window the Debian demo makes. (The demo itself boots a real VM: run by hand, figures in
 * the README.)
 */
class DemoGuestOptionTest {
    static final Instant NOW = Instant.parse("2026-01-10T08:00:00Z");

    @TempDir
    Path dir;
    StringWriter out;
    StringWriter err;

    int run(Map<String, String> env, String... args) {
        out = new StringWriter();
        err = new StringWriter();
        Services services = new Services(new TempHost(dir.resolve("host")).paths(), env, new MutableClock(NOW), new FakeMonotonic(),
                id -> {
                    throw new AssertionError("no agent is asked before the VM starts");
                });
        return Cli.run(services, new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Nested
    class OnACheckoutsClassPath {
        @Test
        void theDemoIsACommandWithItsOwnHelp() {
            assertEquals(0, run(Map.of(), "demo", "--help"));
            assertTrue(out.toString().startsWith("Usage: time-shift demo [-hvV] [--keep] [--windows]"), out.toString());
        }
    }

    @Nested
    class Refused {
        @Test
        void aDebianImageThatIsNotBuiltIsOneLineNamingTheCommandThatBuildsItExit3() throws Exception {
            Path cache = Files.createDirectories(dir.resolve("jump-vm"));

            assertEquals(3, run(Map.of(JumpVmImage.CACHE_ENV, cache.toString()), "demo", "--guest", "debian"));

            assertEquals(List.of("time-shift: demo --guest debian: the Debian jump-VM image is not built (no "
                    + cache.resolve("timesyncd/image.env") + "); build it once (root, debootstrap, a Debian mirror; ~10 min)"
                    + " with: mvn -B -q package -DskipTests && sudo tools/build-jump-vm --variant timesyncd --cache " + cache
                    + " packaging/target/time-shift-guest_*_all.deb, or run the demo without --guest debian"),
                    err.toString().lines().toList());
            assertEquals("", out.toString(), "nothing started, nothing printed");
        }

        @Test
        void anImageMissingOnlyItsDiskIsNotUsedEither() throws Exception {
            Path image = Files.createDirectories(dir.resolve("jump-vm/timesyncd"));
            for (String f : List.of("image.env", "vmlinux", "initrd.img")) {
                Files.writeString(image.resolve(f), "x");
            }

            assertEquals(3, run(Map.of(JumpVmImage.CACHE_ENV, dir.resolve("jump-vm").toString()), "demo", "--guest", "Debian"));

            assertTrue(err.toString().startsWith("time-shift: demo --guest debian: the Debian jump-VM image is not built (no "
                    + image.resolve("disk.raw") + ")"), err::toString);
        }

        @Test
        void anUnknownGuestIsExit2InOneLineWithItsControlCharactersEscaped() {
            assertEquals(2, run(Map.of(), "demo", "--guest", "win\u001b[2J95"));

            List<String> lines = err.toString().lines().toList();
            assertEquals(1, lines.size(), err::toString);
            assertTrue(lines.get(0).startsWith("time-shift: --guest 'win"), lines.get(0));
            assertTrue(lines.get(0).endsWith("95' is not a demo guest; use busybox (the default) or debian"), lines.get(0));
            assertFalse(lines.get(0).contains("\u001b"), lines.get(0));
        }

        @Test
        void windowsDoesNotGoWithTheDebianGuest() {
            assertEquals(2, run(Map.of(), "demo", "--guest", "debian", "--windows"));

            assertEquals(List.of("time-shift: --windows plays a Windows RTC on the busybox guest; it does not go with --guest debian"
                    + " (use one or the other)"), err.toString().lines().toList());
        }

        @Test
        void aDateTooRecentForAnExpiredCertificateIsExit2() {
            assertEquals(2, run(Map.of(), "demo", "--guest", "debian", "--date", "2026-01-09T12:00:00Z"));

            assertEquals(List.of("time-shift: --date 2026-01-09T12:00:00Z: --guest debian shows a certificate valid at that date"
                    + " and expired today, so the date must be at least 2 days in the past (e.g. --date 2021-03-01T12:00:00Z)"),
                    err.toString().lines().toList());
        }
    }

    @Nested
    class TheCertificateWindow {
        @Test
        void liesAroundTheDateAndEndsLongBeforeToday() {
            ExpiredCertDemo.Window w = ExpiredCertDemo.window(Instant.parse("2021-03-01T12:00:00Z"), NOW);

            assertEquals(new ExpiredCertDemo.Window(Instant.parse("2020-03-01T12:00:00Z"), Instant.parse("2022-03-01T12:00:00Z"),
                    Instant.parse("2020-08-30T12:00:00Z"), Instant.parse("2021-08-31T12:00:00Z")), w);
        }

        @Test
        void forARecentDateEndsADayBeforeTodaySoItIsStillExpired() {
            Instant date = NOW.minus(Duration.ofDays(100));

            ExpiredCertDemo.Window w = ExpiredCertDemo.window(date, NOW);

            assertEquals(Instant.parse("2026-01-09T08:00:00Z"), w.caTo());
            assertEquals(Instant.parse("2026-01-09T08:00:00Z"), w.srvTo());
            assertTrue(w.srvFrom().isBefore(date) && w.srvTo().isAfter(date));
        }

        @Test
        void aDateInTheFutureHasNoExpiredCertificate() {
            assertThrows(InvalidInputException.class, () -> ExpiredCertDemo.window(NOW.plus(Duration.ofDays(1)), NOW));
        }
    }
}

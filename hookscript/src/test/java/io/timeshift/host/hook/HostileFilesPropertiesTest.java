package io.timeshift.host.hook;

import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.io.Json;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyParser;
import io.timeshift.host.state.StateStore;
import io.timeshift.host.state.VmState;
import io.timeshift.host.testing.Hostile;
import io.timeshift.common.time.Durations;
import io.timeshift.common.time.Instants;
import io.timeshift.common.time.Whens;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.common.json.LightJson;
import io.timeshift.common.time.TimeBounds;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import io.timeshift.host.io.PrintStreamLines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Arbitrary text, bytes and numbers into every reader of outside text on the host: the policy reader,
 * the duration and date parsers, the state reader, the audit writer. Each either accepts (and what it
 * accepts is in range and round-trips) or refuses with one of our exceptions whose message is one line.
 */
class HostileFilesPropertiesTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-10T08:00:00Z"), ZoneOffset.UTC);
    private static final List<String> FIELDS = List.of("version", "vmid", "mode", "date", "offset", "tolerance", "timeSync",
            "onError", "targets", "chain", "original");

    private Path dir;
    private HostPaths paths;

    @BeforeProperty
    void node() throws IOException {
        // thousands of fsyncs: on tmpfs when the machine has one (the behaviour under test is the same)
        Path shm = Path.of("/dev/shm");
        dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "hostile-props")
                : Files.createTempDirectory("hostile-props");
        paths = new HostPaths(dir.resolve("pve"), dir.resolve("run"), dir.resolve("state"), dir.resolve("log"),
                dir.resolve("config.json"));
    }

    @AfterProperty
    void clean() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void assertOneLine(String message) {
        assertFalse(message.contains("\n") || message.contains("\r") || message.contains("\u0000") || message.contains("\u001b"),
                message);
        assertTrue(message.length() <= 1000, "message of " + message.length() + " characters");
    }

    // ------------------------------------------------------------------ policy

    @Provide
    Arbitrary<String> policies() {
        Arbitrary<String> member = Combinators.combine(
                Arbitraries.oneOf(Arbitraries.of(FIELDS), Hostile.text(8)),
                Arbitraries.oneOf(Hostile.jsonValue(), Arbitraries.of("\"fixed\"", "\"offset\"", "\"continue\"", "1", "105",
                        "\"warn\"", "\"abort\"", "\"keep\"", "\"disable\"")))
                .as((k, v) -> Hostile.quoted(k) + ":" + v);
        Arbitrary<String> objects = member.list().ofMaxSize(12).map(l -> "{" + String.join(",", l) + "}");
        Arbitrary<String> nearlyValid = Combinators.combine(Arbitraries.of("fixed", "offset", "continue"), Hostile.jsonValue(),
                Hostile.jsonValue(), Hostile.jsonValue())
                .as((mode, date, offset, tol) -> "{\"version\":1,\"vmid\":105,\"mode\":\"" + mode + "\",\"date\":" + date
                        + ",\"offset\":" + offset + ",\"tolerance\":" + tol + "}");
        return Arbitraries.oneOf(objects, nearlyValid, Hostile.text(200));
    }

    @Property(tries = 3000)
    void thePolicyReaderAcceptsInRangeOrRefusesWithOneLineExitTwo(@ForAll("policies") String text) {
        try {
            Policy p = PolicyParser.parse(text, 105, "/etc/pve/time-shift/105.json");
            if (p.date() != null) {
                assertTrue(TimeBounds.inRange(p.date()), "date " + p.date());
            }
            if (p.offset() != null) {
                assertTrue(TimeBounds.inRange(p.offset()), "offset " + p.offset());
                p.offset().toNanos();
            }
            assertTrue(TimeBounds.inRange(p.tolerance()));
            assertEquals(p, PolicyParser.parse(new String(Json.pretty(p.toJson()), StandardCharsets.UTF_8), 105, "again"),
                    "what is accepted round-trips");
        } catch (InvalidInputException e) {
            assertOneLine(e.getMessage());
        } catch (RuntimeException e) {
            fail("not one of ours: " + e + " for " + text);
        }
        PolicyParser.saysAbort(text); // never throws
    }

    @Provide
    Arbitrary<String> durations() {
        return Arbitraries.oneOf(Hostile.text(30),
                Combinators.combine(Arbitraries.of("", "-", "+", "P", "-P", "PT", "-PT"), Arbitraries.longs().map(Math::abs),
                        Arbitraries.of("y", "d", "w", "h", "m", "s", "ms", "D", "H", "M", "S", "Y", "")).as((a, n, u) -> a + n + u));
    }

    @Property(tries = 3000)
    void durationsAreWithinOneHundredYearsOrInvalidInput(@ForAll("durations") String text) {
        try {
            Duration d = Durations.parse(text, "--offset");
            assertTrue(d.abs().compareTo(Duration.ofDays(36_500)) <= 0, d.toString());
            assertEquals(d, Durations.parse(Durations.format(d), "again"), "format/parse round trip");
        } catch (InvalidInputException e) {
            assertOneLine(e.getMessage());
        }
    }

    @Property(tries = 2000)
    void datesAreWithinTheSettableYearsOrInvalidInput(@ForAll("dates") String text) {
        try {
            Instant t = Whens.parse(text, "--date");
            assertTrue(TimeBounds.inRange(t), t.toString());
            assertEquals(t, Instants.parseInstant(Instants.iso(t)));
        } catch (InvalidInputException e) {
            assertOneLine(e.getMessage());
        }
    }

    @Provide
    Arbitrary<String> dates() {
        return Arbitraries.oneOf(Hostile.text(30),
                Arbitraries.longs().between(-(1L << 40), 1L << 40).map(s -> Instant.ofEpochSecond(s).toString()),
                Arbitraries.longs().between(-(1L << 40), 1L << 40).map(s -> Instant.ofEpochSecond(s).toString().replace("Z", "")),
                Arbitraries.strings().withChars("0123456789-T:Z+.").ofMaxLength(30));
    }

    // ------------------------------------------------------------------ state

    @Provide
    Arbitrary<byte[]> stateFiles() {
        Arbitrary<String> member = Combinators.combine(
                Arbitraries.oneOf(Arbitraries.of("vmid", "lastPhase", "lastPhaseAt", "run", "lastApply", "lastStop",
                        "postStopDoneFor", "timeSyncDisabled"), Hostile.text(6)),
                Arbitraries.oneOf(Hostile.jsonValue(), runs(), Arbitraries.of(
                        "{\"startedAt\":\"2026-01-10T07:00:00Z\",\"result\":\"running\",\"workerPid\":1}",
                        "{\"hostTime\":\"2026-01-10T07:00:00Z\",\"guestTime\":\"2021-03-01T12:00:00Z\",\"source\":\"agent\"}",
                        "[\"chrony.service\"]")))
                .as((k, v) -> Hostile.quoted(k) + ":" + v);
        return Arbitraries.oneOf(
                member.list().ofMaxSize(8).map(l -> ("{" + String.join(",", l) + "}").getBytes(StandardCharsets.UTF_8)),
                Hostile.bytes(300));
    }

    private Arbitrary<String> runs() {
        return Combinators.combine(Hostile.jsonValue(), Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf), Hostile.jsonValue()))
                .as((at, off) -> "{\"startedAt\":" + at + ",\"offsetNs\":" + off + ",\"id\":\"r\",\"reason\":\"fixed\"}");
    }

    @Property(tries = 1000)
    void theStateReaderNeverThrowsAndWhatItAcceptsIsSafeToComputeWith(@ForAll("stateFiles") byte[] bytes) throws IOException {
        Files.createDirectories(paths.stateDir());
        Files.write(paths.stateFile(105), bytes);
        StateStore.Loaded l = new StateStore(paths).inspect(105);
        if (l.problem() != null) {
            assertOneLine(l.problem());
            assertEquals(Map.of("vmid", 105), l.state().toJson());
        }
        VmState s = l.state();
        VmState.Run run = s.run();
        if (run != null) {
            new io.timeshift.host.apply.OffsetModel.Decision(run.offsetNs(), io.timeshift.host.apply.OffsetModel.Reason.FIXED)
                    .guestTimeAt(CLOCK.instant()); // no overflow
        }
        VmState.Stop stop = s.lastStop();
        if (stop != null) {
            io.timeshift.host.apply.OffsetModel.between(CLOCK.instant(), stop.guestTime());
        }
        s.lastApply();
        s.timeSyncDisabled();
        s.postStopDoneFor();
        // a writer heals whatever it finds and leaves a file every reader accepts
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        new StateStore(paths, CLOCK, new PrintStreamLines(new PrintStream(err, true, StandardCharsets.UTF_8)), "hook")
                .update(105, v -> v.phase("pre-start", CLOCK.instant()));
        assertNull(new StateStore(paths).inspect(105).problem());
        assertEquals(l.problem() == null ? 0 : 1, err.toString(StandardCharsets.UTF_8).lines().count());
    }

    // ------------------------------------------------------------------ audit

    @Property(tries = 500)
    void anyDetailsMakeOneValidChainedAuditLine(@ForAll("details") Map<String, Object> details) throws IOException {
        Files.deleteIfExists(paths.auditLog());
        // and its anchor: a log emptied behind the anchor's back is (rightly) reported as truncated
        Files.deleteIfExists(paths.auditLog().resolveSibling(paths.auditLog().getFileName() + ".anchor"));
        AuditLog log = new AuditLog(paths.auditLog(), CLOCK);
        log.append("hook", 105, "hook-pre-start", details);
        log.append("hook", 105, "hook-post-start", details);
        List<String> lines = Files.readAllLines(paths.auditLog(), StandardCharsets.UTF_8);
        assertEquals(2, lines.size());
        for (String line : lines) {
            assertTrue(line.length() < 64 * 1024);
            assertTrue(LightJson.parse(line) instanceof Map<?, ?>);
        }
        assertTrue(log.verify().ok(), log.verify().problem());
    }

    @Provide
    Arbitrary<Map<String, Object>> details() {
        return Arbitraries.maps(Hostile.text(10), Arbitraries.oneOf(Hostile.text(2000).map(s -> (Object) s),
                Arbitraries.longs().map(v -> (Object) v), Arbitraries.doubles().map(v -> (Object) v))).ofMaxSize(5);
    }

    /** The exception types the readers may throw: ours only (checked by the catch clauses above). */
    @SuppressWarnings("unused")
    private static final Class<?> OURS = TimeShiftException.class;
}

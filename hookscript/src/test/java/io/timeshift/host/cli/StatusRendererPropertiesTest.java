package io.timeshift.host.cli;

import io.timeshift.common.time.Instants;
import io.timeshift.host.status.StatusRow;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Rows carry {@link Instant}s; {@code status --json} showed this node's times as {@link Instant#toString}
 * and other nodes' as {@link Instants#iso}: the rendered members must stay exactly both, for any instant
 * (and never throw).
 */
class StatusRendererPropertiesTest {
    @Provide
    Arbitrary<Instant> instants() {
        return instantsBetween(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond());
    }

    /** What {@code Instants.iso} takes: the instants of a {@link LocalDate}. */
    @Provide
    Arbitrary<Instant> localDateInstants() {
        return instantsBetween(LocalDate.MIN.toEpochDay() * 86_400, LocalDate.MAX.toEpochDay() * 86_400 + 86_399);
    }

    private static Arbitrary<Instant> instantsBetween(long min, long max) {
        Arbitrary<Long> seconds = Arbitraries.oneOf(Arbitraries.longs().between(min, max),
                Arbitraries.longs().between(-62_167_219_200L, 253_402_300_799L), // years 0000..9999
                Arbitraries.longs().between(-1L << 34, 1L << 34)); // around 1970 (1425..2514)
        Arbitrary<Integer> nanos = Arbitraries.oneOf(Arbitraries.integers().between(0, 999_999_999),
                Arbitraries.integers().between(0, 999).map(ms -> ms * 1_000_000),
                Arbitraries.integers().between(0, 999_999).map(us -> us * 1000), Arbitraries.just(0));
        return Combinators.combine(seconds, nanos).as(Instant::ofEpochSecond);
    }

    private static Map<String, Object> json(Instant expected, Instant guest) {
        return StatusRenderer.jsonObject(new StatusRow(105, null, null, true, null, expected, guest, null, null, null,
                List.of(), null, null, List.of(), true));
    }

    @Property
    void timesAreRenderedAsThisNodesRowsShowedThem(@ForAll("instants") Instant expected, @ForAll("instants") Instant guest) {
        Map<String, Object> json = json(expected, guest);

        assertEquals(expected.toString(), json.get("expectedTime"));
        assertEquals(guest.toString(), json.get("guestTime"));
    }

    @Property
    void timesAreRenderedAsOtherNodesRowsShowedThem(@ForAll("localDateInstants") Instant expected,
                                                    @ForAll("localDateInstants") Instant guest) {
        Map<String, Object> json = json(expected, guest);

        assertEquals(Instants.iso(expected), json.get("expectedTime"));
        assertEquals(Instants.iso(guest), json.get("guestTime"));
    }
}

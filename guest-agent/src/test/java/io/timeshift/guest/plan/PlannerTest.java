package io.timeshift.guest.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The date suggestion: margins from both edges, closest to now, midday UTC when possible. */
class PlannerTest {
    static Stream<Arguments> windows() {
        return Stream.of(
                // past window of 730 days: margin 73 days; latest midday before 2011-10-20T00:00Z
                Arguments.of("2010-01-01T00:00:00Z", "2012-01-01T00:00:00Z", "2026-06-01T00:00:00Z", "2011-10-19T12:00:00Z"),
                // future window: the early end plus the margin (36.5 days -> 2030-02-06T12:00Z is midday already)
                Arguments.of("2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z", "2026-06-01T00:00:00Z", "2030-02-06T12:00:00Z"),
                // now inside the window: today at midday, no shift needed
                Arguments.of("2020-01-01T00:00:00Z", "2040-01-01T00:00:00Z", "2026-06-01T08:15:00Z", "2026-06-01T12:00:00Z"),
                // three-day window: one day margin each side, midday of the middle day
                Arguments.of("2015-03-01T00:00:00Z", "2015-03-04T00:00:00Z", "2026-06-01T00:00:00Z", "2015-03-02T12:00:00Z"),
                // one-hour window: its middle
                Arguments.of("2015-03-01T10:00:00Z", "2015-03-01T11:00:00Z", "2026-06-01T00:00:00Z", "2015-03-01T10:54:00Z"),
                // 36-hour window: margins of 3.6 h, and the midday of the last day fits
                Arguments.of("2015-03-01T13:00:00Z", "2015-03-03T01:00:00Z", "2026-06-01T00:00:00Z", "2015-03-02T12:00:00Z"),
                // 21-hour window, no midday inside the 2.1 h margins: the latest instant inside them
                Arguments.of("2015-03-01T13:00:00Z", "2015-03-02T10:00:00Z", "2026-06-01T00:00:00Z", "2015-03-02T07:54:00Z"));
    }

    @ParameterizedTest(name = "[{0} .. {1}] at {2} -> {3}")
    @MethodSource("windows")
    void suggestsADateInsideTheMargins(String start, String end, String now, String expected) {
        assertEquals(Instant.parse(expected), Planner.suggest(Instant.parse(start), Instant.parse(end), Instant.parse(now)));
    }
}

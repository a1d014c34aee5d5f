package io.timeshift.host.notes;

import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one Notes line: written by enable ({@code fresh}) and apply ({@code applied}), edited into free
 * text ({@code put}/{@code remove}), and read back on a workstation ({@code parse}), leniently.
 */
class NotesLineTest {
    private static final String LINE = "time-shift: fixed 2021-03-01T12:00:00Z · last apply - · drift -";
    private static final String CONTRACT = "time-shift: fixed 2021-03-01T12:00:00Z · last apply ok 2026-11-25T10:31Z · drift 4 ms";
    private static final Policy FIXED = new Policy(105, Mode.FIXED, Instant.parse("2021-03-01T12:00:00Z"), null, null, false,
            false, List.of(), null, null);
    private static final Policy OFFSET = new Policy(105, Mode.OFFSET, null, Duration.ofDays(-1095), null, false, false,
            List.of(), null, null);

    @Nested
    class Editing {
        @ParameterizedTest
        @ValueSource(strings = {"", "one line", "one line\n", "a\nb\n\nc", "a\nb\n"})
        void removeUndoesPutExactly(String notes) {
            String with = NotesLine.put(notes, LINE);
            assertEquals(LINE, NotesLine.findRaw(with));
            assertEquals(notes, NotesLine.remove(with));
        }

        @Test
        void putAppendsAtTheEndOnItsOwnLine() {
            assertEquals("Jump host\n" + LINE, NotesLine.put("Jump host", LINE));
            assertEquals("Jump host\n" + LINE + "\n", NotesLine.put("Jump host\n", LINE));
            assertEquals(LINE, NotesLine.put("", LINE));
        }

        @Test
        void putReplacesOnlyOurLineAndDropsDuplicates() {
            String notes = "a\ntime-shift: offset -P1D · x\nb\ntime-shift: old\n";
            assertEquals("a\n" + LINE + "\nb\n", NotesLine.put(notes, LINE));
        }

        @Test
        void linesThatOnlyMentionTimeShiftAreNotOurs() {
            String notes = "see time-shift: docs\n  time-shift: indented";
            assertEquals(notes + "\n" + LINE, NotesLine.put(notes, LINE));
            assertNull(NotesLine.findRaw(notes));
            assertTrue(NotesLine.parse(notes).isEmpty());
        }

        @Test
        void findRawGivesTheLastLineWithoutItsLineEnd() {
            assertEquals("time-shift: b", NotesLine.findRaw("time-shift: a\nx\ntime-shift: b\r\n"));
            assertNull(NotesLine.findRaw(null));
        }
    }

    @Nested
    class ProxmoxsLimit {
        /** {@code n} code points of text, each a character outside the BMP (two UTF-16 units, four UTF-8 bytes). */
        private String emoji(int n) {
            return "\uD83D\uDD70".repeat(n);
        }

        @Test
        void theLengthIsCountedInCharactersNotUtf16UnitsNorBytes() {
            assertEquals(3, NotesLine.length(emoji(3)));
            assertEquals(2, NotesLine.length("\u00e9\u00e9"));
        }

        @Test
        void ourLineIsAddedWhileTheNotesStayWithin8192Characters() {
            String notes = emoji(NotesLine.MAX_NOTES - LINE.length() - 1);
            String after = NotesLine.putWithin(notes, LINE);
            assertEquals(notes + "\n" + LINE, after);
            assertEquals(8192, NotesLine.length(after));
        }

        @Test
        void oneCharacterMoreAndTheNotesStayAsTheAdminWroteThem() {
            String notes = "x".repeat(NotesLine.MAX_NOTES - LINE.length());
            assertNull(NotesLine.putWithin(notes, LINE));
            assertEquals("VM 105: Notes left unchanged without the time-shift line: with it they would have 8193 characters,"
                    + " Proxmox allows 8192; shorten the Notes to make room", NotesLine.noRoom(105, notes, LINE));
        }

        @Test
        void replacingAShorterLineOfOursCountsOnlyTheDifference() {
            String notes = "x".repeat(NotesLine.MAX_NOTES - CONTRACT.length() - 1) + "\n" + LINE;
            assertEquals(NotesLine.MAX_NOTES - CONTRACT.length() + LINE.length(), NotesLine.length(notes));
            assertEquals(NotesLine.MAX_NOTES, NotesLine.length(NotesLine.putWithin(notes, CONTRACT)));
            assertNull(NotesLine.putWithin("y" + notes, CONTRACT));
        }
    }

    @Nested
    class Writing {
        @Test
        void freshLineHasNoApplyYet() {
            assertEquals(LINE, NotesLine.fresh(FIXED, NotesLine.SEPARATOR));
        }

        @Test
        void appliedWritesTheContractLineToTheMinute() {
            assertEquals(CONTRACT, NotesLine.applied(FIXED, "ok", Instant.parse("2026-11-25T10:31:59.999Z"), 4.2,
                    NotesLine.SEPARATOR));
        }

        @ParameterizedTest
        @CsvSource(nullValues = "NULL", value = {"4.0,4", "4.5,5", "-12.4,-12", "1.0,1", "0.34,0.3", "-0.36,-0.4",
                "0.96,1", "0.0,0.0", "-0.01,0.0", "NULL,-"})
        void driftIsWholeMsFromOneElseOneDecimal(Double ms, String text) {
            assertEquals(text, NotesLine.drift(ms));
        }

        @Test
        void appliedWithoutDriftOrResult() {
            assertEquals("time-shift: offset -PT26280H · last apply failed 2026-11-25T10:31Z · drift -",
                    NotesLine.applied(OFFSET, "failed", Instant.parse("2026-11-25T10:31:00Z"), null, NotesLine.SEPARATOR));
            assertEquals("time-shift: fixed 2021-03-01T12:00:00Z - last apply - - drift -",
                    NotesLine.applied(FIXED, null, null, null, NotesLine.ASCII_SEPARATOR));
        }
    }

    @Nested
    class Parsing {
        @Test
        void readsTheContractExampleAtTheEndOfOtherNotes() {
            NotesLine n = NotesLine.parse("Jump host for the old iDRACs\n" + CONTRACT).orElseThrow();

            assertEquals(Mode.FIXED, n.mode());
            assertEquals(Instant.parse("2021-03-01T12:00:00Z"), n.date());
            assertEquals(Map.of("result", "ok", "finishedAt", "2026-11-25T10:31:00Z", "errorMs", 4.0, "source", "notes"),
                    n.lastApply());
        }

        @Test
        void readsAnOffsetInTheContractsDurationForm() {
            NotesLine n = NotesLine.parse("time-shift: offset -P1095D").orElseThrow();

            assertEquals(Mode.OFFSET, n.mode());
            assertEquals(Duration.ofDays(-1095), n.offset());
            assertNull(n.lastApply(), "nothing said about an apply yet");
        }

        @Test
        void theLastLineWinsAndUnknownModesAreIgnored() {
            assertEquals(Mode.CONTINUE, NotesLine.parse("time-shift: fixed 2021-03-01T12:00:00Z\n"
                    + "time-shift: continue 2020-01-01T00:00:00Z").orElseThrow().mode());
            assertTrue(NotesLine.parse("time-shift: sometimes tomorrow").isEmpty());
            assertTrue(NotesLine.parse("no line here").isEmpty());
            assertTrue(NotesLine.parse(null).isEmpty());
        }

        @Test
        void aHandEditedTailDoesNotLoseTheMode() {
            NotesLine n = NotesLine.parse("time-shift: fixed 2021-03-01T12:00:00Z · last apply ok yesterday · drift lots")
                    .orElseThrow();

            assertEquals(Mode.FIXED, n.mode());
            assertEquals("ok", n.lastApply().get("result"));
            assertNull(n.lastApply().get("finishedAt"));
            assertNull(n.driftMs());
        }

        @Test
        void aFreshLineSaysNothingAboutAnApplyWithEitherSeparator() {
            for (String sep : List.of(NotesLine.SEPARATOR, NotesLine.ASCII_SEPARATOR)) {
                NotesLine n = NotesLine.parse(NotesLine.fresh(OFFSET, sep)).orElseThrow();
                assertEquals(new NotesLine(Mode.OFFSET, null, Duration.ofDays(-1095), null, null, null), n, sep);
            }
        }

        @Test
        void theAsciiSeparatorIsReadLikeTheDotAndNegativeDriftSurvives() {
            NotesLine n = NotesLine.parse("time-shift: fixed 2021-03-01T12:00:00Z - last apply ok 2026-11-25T10:31Z - drift -4 ms")
                    .orElseThrow();

            assertEquals(new NotesLine(Mode.FIXED, Instant.parse("2021-03-01T12:00:00Z"), null, "ok",
                    Instant.parse("2026-11-25T10:31:00Z"), -4.0), n);
        }

        @Test
        void dotsWithoutSpacesStillSeparate() {
            NotesLine n = NotesLine.parse("time-shift: fixed 2021-03-01T12:00:00Z·last apply skipped·drift 0.3 ms").orElseThrow();
            assertEquals("skipped", n.lastResult());
            assertEquals(0.3, n.driftMs());
        }
    }

    @Nested
    class RoundTrip {
        @ParameterizedTest
        @ValueSource(strings = {" \u00b7 ", " - "})
        void parseOfAppliedGivesTheValuesBack(String sep) {
            Instant at = Instant.parse("2026-11-25T10:31:00Z");
            for (Policy p : List.of(FIXED, OFFSET)) {
                for (Double drift : new Double[] {4.0, -1234.0, 0.3, -0.7, null}) {
                    for (String result : List.of("ok", "failed", "skipped")) {
                        String line = NotesLine.applied(p, result, at.plusSeconds(42), drift, sep);
                        NotesLine n = NotesLine.parse("Notes above\n" + line + "\n").orElseThrow(() -> new AssertionError(line));
                        assertEquals(new NotesLine(p.mode(), p.date(), p.offset(), result, at, drift), n, line);
                    }
                }
            }
        }

        @Test
        void putOfAppliedReplacesTheFreshLine() {
            String notes = NotesLine.put("Jump host\n", NotesLine.fresh(FIXED, NotesLine.SEPARATOR));
            String after = NotesLine.put(notes, NotesLine.applied(FIXED, "ok", Instant.parse("2026-11-25T10:31:00Z"), 4.0,
                    NotesLine.SEPARATOR));
            assertEquals("Jump host\n" + CONTRACT + "\n", after);
        }
    }
}

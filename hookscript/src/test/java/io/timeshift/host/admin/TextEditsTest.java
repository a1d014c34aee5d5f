package io.timeshift.host.admin;

import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure edits enable/disable make to Notes, tags, agent and hookscript values. */
class TextEditsTest {
    private static final String LINE = "time-shift: fixed 2021-03-01T12:00:00Z · last apply - · drift -";

    @Nested
    class Notes {
        @ParameterizedTest
        @ValueSource(strings = {"", "one line", "one line\n", "a\nb\n\nc", "a\nb\n"})
        void removeUndoesPutExactly(String notes) {
            String with = NotesLine.put(notes, LINE);
            assertEquals(LINE, NotesLine.find(with));
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
        }

        @Test
        void freshLineHasNoApplyYet() {
            Policy p = new Policy(105, Mode.FIXED, Instant.parse("2021-03-01T12:00:00Z"), null, null, false, false, List.of(), null, null);
            assertEquals(LINE, NotesLine.fresh(p, NotesLine.SEPARATOR));
        }
    }

    @Nested
    class Values {
        @ParameterizedTest
        @CsvSource(delimiter = '|', nullValues = "NULL", value = {
                "NULL|1", "0|1", "1|1", "enabled=0,fstrim_cloned_disks=1|enabled=1,fstrim_cloned_disks=1",
                "fstrim_cloned_disks=1|1,fstrim_cloned_disks=1", "0,type=isa|1,type=isa"})
        void enableAgentKeepsEverySubOption(String before, String after) {
            assertEquals(after, ConfigEdits.enableAgent(before));
            assertTrue(ConfigEdits.agentEnabled(after));
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "enabled=0", "fstrim_cloned_disks=1", "type=virtio"})
        void theseAgentValuesAreOff(String agent) {
            assertFalse(ConfigEdits.agentEnabled(agent));
        }

        @Test
        void tagsAreAddedOnceAndRemovedCleanly() {
            assertEquals("time-shift", ConfigEdits.withTag(null));
            assertEquals("bmc;time-shift", ConfigEdits.withTag("bmc"));
            assertEquals("bmc;time-shift", ConfigEdits.withTag("bmc;time-shift"));
            assertEquals("bmc;prod", ConfigEdits.withoutTag("bmc,time-shift;prod"));
            assertNull(ConfigEdits.withoutTag("time-shift"));
        }

        @Test
        void ourHookscriptOnAnyStorageIsRecognised() {
            assertTrue(ConfigEdits.isOurs("local:snippets/time-shift-hook"));
            assertTrue(ConfigEdits.isOurs("nfs-snip:snippets/time-shift-hook"));
            assertFalse(ConfigEdits.isOurs("local:snippets/time-shift-hook.pl"));
            assertFalse(ConfigEdits.isOurs("local:snippets/other"));
            assertFalse(ConfigEdits.isOurs(null));
        }

        @Test
        void textDiffMarksRemovedAndAddedLines() {
            assertEquals(List.of(" a", "-b", "+B", " c"), TextDiff.lines("a\nb\nc\n", "a\nB\nc\n"));
            assertEquals(List.of("+x"), TextDiff.lines("", "x\n"));
        }
    }
}

package io.timeshift.host.admin;

import io.timeshift.host.vmconfig.ConfigEdits;
import io.timeshift.host.vmconfig.TextDiff;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure edits enable/disable make to tags, agent and hookscript values (the Notes line: notes.NotesLineTest). */
class TextEditsTest {
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

        @ParameterizedTest
        @ValueSource(strings = {"NAS1:snippets/time-shift-hook", "Shared-Snips:snippets/time-shift-hook", " LOCAL:snippets/time-shift-hook "})
        void storageIdsMatchInAnyLetterCaseLikePveStorage(String volid) {
            assertTrue(ConfigEdits.isOurs(volid));
        }

        @ParameterizedTest
        @ValueSource(strings = {"NAS1:SNIPPETS/time-shift-hook", "NAS1:snippets/Time-Shift-Hook", "N:snippets/time-shift-hook",
                "NAS1:snippets/sub/time-shift-hook"})
        void volnameAndFileNameStayExact(String volid) {
            assertFalse(ConfigEdits.isOurs(volid));
        }

        @Test
        void withoutStorageCfgTheApisPathAndContentDirsPlaceTheSnippet(@org.junit.jupiter.api.io.TempDir java.nio.file.Path pve) {
            io.timeshift.pve.api.StorageConfig nas = new io.timeshift.pve.api.StorageConfig("NAS1", "nfs", List.of("snippets"),
                    java.util.Optional.of("/mnt/pve/NAS1"), true, List.of(), false, java.util.Optional.empty(),
                    java.util.Map.of("snippets", "hooks"));
            assertEquals(java.nio.file.Path.of("/mnt/pve/NAS1/hooks/time-shift-hook"),
                    SnippetInstaller.locate("NAS1:snippets/time-shift-hook", pve, nas));
        }

        @Test
        void textDiffMarksRemovedAndAddedLines() {
            assertEquals(List.of(" a", "-b", "+B", " c"), TextDiff.lines("a\nb\nc\n", "a\nB\nc\n"));
            assertEquals(List.of("+x"), TextDiff.lines("", "x\n"));
        }
    }
}

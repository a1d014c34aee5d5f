package io.timeshift.host.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Group;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Storage and snippet volume ids as pve-storage reads them: the storage id in any letter case. */
class VolumeIdsTest {
    @Nested
    class StorageIds {
        @ParameterizedTest
        @ValueSource(strings = {"local", "NAS1", "Nas-1", "nfs.snip_2", "ab", "A9"})
        void anyLetterCaseIsAStorageId(String id) {
            assertTrue(VolumeIds.isStorageId(id));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "a", "1abc", "ab-", "a_", "a b", "ab:", "-ab", "aü"})
        void refusesWhatParseStorageIdRefuses(String id) {
            assertFalse(VolumeIds.isStorageId(id));
        }
    }

    @Nested
    class SnippetVolumes {
        @ParameterizedTest
        @CsvSource({"NAS1:snippets/time-shift-hook, NAS1, time-shift-hook", "local:snippets/x.pl, local, x.pl",
                "Nas-1:snippets/a:b, Nas-1, a:b"})
        void givesStorageAndFileName(String volid, String storage, String name) {
            assertEquals(storage, VolumeIds.storage(volid));
            assertEquals(name, VolumeIds.snippetName(volid));
        }

        @ParameterizedTest
        @ValueSource(strings = {"local:SNIPPETS/x", "local:snippets/", "local:snippets/a/b", "local:iso/x", "local:",
                ":snippets/x", "l:snippets/x", "local snippets/x", "local:snippets"})
        void otherVolumesAreNoSnippet(String volid) {
            assertNull(VolumeIds.snippetName(volid));
        }
    }

    /** The same answers as upstream's two patterns, compiled here as the oracle (test only). */
    @Group
    class AgreesWithPveStorage {
        // pve-storage Plugin.pm parse_volume_id: m/^([a-z][a-z0-9\-\_\.]*[a-z0-9]):(.+)$/i
        private final Pattern volumeId = Pattern.compile("^([a-z][a-z0-9\\-_.]*[a-z0-9]):(.+)$",
                Pattern.CASE_INSENSITIVE | Pattern.UNIX_LINES);
        // Plugin.pm parse_volname: m!^snippets/([^/]+)$!
        private final Pattern snippet = Pattern.compile("^snippets/([^/]+)$", Pattern.UNIX_LINES);

        @Property(tries = 3000)
        void onAnyText(@ForAll("volids") String volid) {
            Matcher m = volumeId.matcher(volid);
            String storage = m.find() ? m.group(1) : null;
            String name = null;
            if (storage != null) {
                Matcher s = snippet.matcher(m.group(2));
                name = s.find() ? s.group(1) : null;
            }
            assertEquals(storage, VolumeIds.storage(volid), volid);
            assertEquals(name, VolumeIds.snippetName(volid), volid);
        }

        @Provide
        Arbitrary<String> volids() {
            Arbitrary<String> storage = Arbitraries.strings().withChars("aZz09-_.:/ \n").ofMinLength(0).ofMaxLength(6);
            Arbitrary<String> rest = Arbitraries.strings().withChars("ab/:.\n ").ofMinLength(0).ofMaxLength(5);
            Arbitrary<String> prefix = Arbitraries.of("", "snippets/", "Snippets/", ":", ":snippets/");
            return net.jqwik.api.Combinators.combine(storage, prefix, rest).as((a, b, c) -> a + b + c);
        }
    }
}

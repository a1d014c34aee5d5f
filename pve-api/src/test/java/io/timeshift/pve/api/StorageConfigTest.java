package io.timeshift.pve.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.timeshift.pve.api.json.PveJson;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class StorageConfigTest {
    @Nested
    class ContentDirs {
        @Test
        void theApiGivesTheDecodedHash() {
            StorageConfig s = StorageConfig.from(PveJson.parse("{\"storage\":\"NAS1\",\"type\":\"nfs\",\"path\":\"/mnt/pve/NAS1\","
                    + "\"content-dirs\":{\"snippets\":\"hooks\",\"iso\":\"isos\"}}", "test"), "test");
            assertEquals(Map.of("snippets", "hooks", "iso", "isos"), s.contentDirs());
        }

        @Test
        void theStorageCfgStringIsSplitLikeSplitListAndTheLastEntryCounts() {
            assertEquals(Map.of("snippets", "b", "iso", ""),
                    StorageConfig.contentDirs(PveJson.parse("\"snippets=a; iso= ,snippets=b\"", "test")));
        }

        @Test
        void anEntryWithoutDirectoryMeansTheDefaultAndAbsentMeansNone() {
            assertEquals(Map.of(), StorageConfig.contentDirs(PveJson.parse("\"snippets=a,snippets\"", "test")));
            assertEquals(Map.of(), StorageConfig.from(PveJson.parse("{\"storage\":\"local\"}", "test"), "test").contentDirs());
        }
    }
}

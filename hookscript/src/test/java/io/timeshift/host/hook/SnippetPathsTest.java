package io.timeshift.host.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.ForAll;
import net.jqwik.api.Group;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Snippet volume id to file, as PVE::Storage::path resolves it from storage.cfg (pve-storage get_subdir). */
class SnippetPathsTest {
    @TempDir
    Path pve;

    private Path resolve(String cfg, String volid) throws IOException {
        if (cfg != null) {
            Files.writeString(pve.resolve("storage.cfg"), cfg, StandardCharsets.UTF_8);
        }
        return SnippetPaths.resolve(volid, pve);
    }

    @Nested
    class LocalStorage {
        @Test
        void isVarLibVzWithoutAnyStorageCfg() throws IOException {
            assertEquals(Path.of("/var/lib/vz/snippets/time-shift-hook"), resolve(null, "local:snippets/time-shift-hook"));
        }

        @Test
        void keepsItsContentDirs() throws IOException {
            assertEquals(Path.of("/var/lib/vz/hooks/x"),
                    resolve("dir: local\n\tpath /var/lib/vz\n\tcontent-dirs snippets=hooks\n", "local:snippets/x"));
        }

        @Test
        void isReplacedByTheDefaultWhenTheFileGivesItAnotherType() throws IOException {
            assertEquals(Path.of("/var/lib/vz/snippets/x"),
                    resolve("nfs: local\n\tpath /srv\n\tcontent-dirs snippets=hooks\n", "local:snippets/x"));
        }

        @Test
        void keepsAPathGivenInTheFileAsTheDemoAndTestTreesDo() throws IOException {
            assertEquals(Path.of("/srv/hooks/x"), resolve("dir: local\n\tpath /srv\n\tcontent-dirs snippets=hooks\n", "local:snippets/x"));
        }
    }

    @Nested
    class ContentDirs {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "snippets=foo | /mnt/data/foo/x",
                "iso=isos;snippets=a/b | /mnt/data/a/b/x",
                "snippets=/abs | /mnt/data/abs/x",
                "snippets=one,snippets=two | /mnt/data/two/x",
                "snippets=one snippets | /mnt/data/snippets/x",
                "iso=isos | /mnt/data/snippets/x",
                "snippets= | /mnt/data/x"})
        void replaceTheSnippetsDirectoryBelowThePath(String dirs, String expected) throws IOException {
            assertEquals(Path.of(expected), resolve("dir: data\n\tpath /mnt/data\n\tcontent-dirs " + dirs + "\n", "data:snippets/x"));
        }

        @Test
        void nfsWithoutPathIsMountedUnderMntPve() throws IOException {
            assertEquals(Path.of("/mnt/pve/NAS1/hooks/time-shift-hook"), resolve(
                    "nfs: NAS1\n\tserver 10.0.0.5\n\texport /export/pve\n\tcontent snippets\n\tcontent-dirs snippets=hooks\n",
                    "NAS1:snippets/time-shift-hook"));
        }

        @Test
        void btrfsHasNoContentDirsOption() throws IOException {
            assertEquals(Path.of("/mnt/b/snippets/x"), resolve("btrfs: bb\n\tpath /mnt/b\n\tcontent-dirs snippets=hooks\n", "bb:snippets/x"));
        }
    }

    @Nested
    class ReadLikeSectionConfig {
        @Test
        void storageIdsAreLookedUpAsWritten() throws IOException {
            String cfg = "dir: NAS1\n\tpath /mnt/nas\n";
            assertEquals(Path.of("/mnt/nas/snippets/x"), resolve(cfg, "NAS1:snippets/x"));
            assertNull(resolve(cfg, "nas1:snippets/x"));
        }

        @Test
        void aSectionEndsAtTheFirstEmptyLineNotAtTheNextHeader() throws IOException {
            String cfg = "dir: aa\n\tpath /a\ndir: bb\n\tpath /b\n\ndir: cc\n\t# a comment does not end it\n\n\tpath /c\n";
            assertEquals(Path.of("/a/snippets/x"), resolve(cfg, "aa:snippets/x"), "the second path is a duplicate of aa's");
            assertNull(resolve(cfg, "bb:snippets/x"), "'dir: bb' inside aa's section is an ignored line");
            assertNull(resolve(cfg, "cc:snippets/x"), "the path after the empty line belongs to no section");
        }

        @Test
        void theFirstOfDuplicateKeysAndTheLastOfRepeatedSectionsCount() throws IOException {
            assertEquals(Path.of("/one/snippets/x"), resolve("dir: dd\n\tpath /one\n\tpath /two\n", "dd:snippets/x"));
            assertEquals(Path.of("/two/snippets/x"), resolve("dir: dd\n\tpath /one\n\ndir: dd\n\tpath /two\n", "dd:snippets/x"));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {"DIR:dd", "dir:  dd  ", "dir:dd\r"})
        void headersAreMatchedLikeParseSectionHeader(String header) throws IOException {
            assertEquals(Path.of("/d/snippets/x"), resolve(header + "\n\tpath /d\n", "dd:snippets/x"));
        }

        @Test
        void storagesThatCannotHoldSnippetsGiveNoPath() throws IOException {
            assertNull(resolve("lvmthin: dd\n\tthinpool data\n\tvgname pve\n", "dd:snippets/x"));
            assertNull(resolve("dir: dd\n\tcontent snippets\n", "dd:snippets/x"), "a dir storage without path");
            assertNull(resolve(null, "local:iso/x.iso"));
        }
    }

    @Group
    class AnyText {
        @Property(tries = 500)
        void neverThrows(@ForAll String cfg, @ForAll String volid) throws IOException {
            Path dir = Files.createTempDirectory("snippet-paths");
            try {
                Files.writeString(dir.resolve("storage.cfg"), cfg, StandardCharsets.UTF_8);
                SnippetPaths.resolve(volid, dir);
                SnippetPaths.resolve("local:snippets/" + volid.replace("/", "").replace("\n", ""), dir);
                SnippetPaths.resolve("dir: local\n\tpath /var/lib/vz\n\tcontent-dirs " + cfg.replace("\n", ""), dir);
            } finally {
                Files.delete(dir.resolve("storage.cfg"));
                Files.delete(dir);
            }
        }
    }
}

package io.timeshift.pve.config;

import io.timeshift.common.error.EnvironmentException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VmConfigParserTest {
    private static final String SOURCE = "/etc/pve/qemu-server/105.conf";

    /** Shaped like a file PVE writes: Notes first, keys sorted, then [PENDING], special, snapshots. */
    static final String REAL = """
            #iDRAC 8 console box%3A reach https%3A//10.0.0.8 with its expired certificate
            #
            #Owner%3A Gr%C3%BC%C3%9Fe team, 100% sure
            #time-shift%3A on
            agent: 1,fstrim_cloned_disks=1
            args: -rtc base=2021-03-01T12:00:00,clock=vm
            boot: order=scsi0;ide2;net0
            cores: 2
            hookscript: local:snippets/time-shift-hook
            ide2: none,media=cdrom
            memory: 2048
            meta: creation-qemu=8.1.5,ctime=1714000000
            name: idrac-console
            net0: virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,firewall=1
            numa: 0
            ostype: l26
            parent: before-shift
            scsi0: local-lvm:vm-105-disk-0,iothread=1,size=32G
            scsihw: virtio-scsi-single
            smbios1: uuid=0b3a2c1e-5d4f-4a3b-9c8d-7e6f5a4b3c2d
            sockets: 1
            startdate: 2021-03-01T12:00:00
            tags: idrac;time-shift
            vmgenid: 6f1e2d3c-4b5a-4968-8776-655443322110

            [PENDING]
            delete: args
            startdate: 2022-06-15

            [special:cloudinit]
            ipconfig0: ip=dhcp
            name: ignored-here

            [before-shift]
            #state before the clock%3A shift
            agent: 1
            memory: 2048
            name: idrac-console
            snaptime: 1714000100
            startdate: now
            vmstate: local-lvm:vm-105-state-before-shift

            [after_shift-2]
            agent: 1
            parent: before-shift
            snaptime: 1714000200
            startdate: 2021-03-01T12:00:00
            """;

    private static VmConfig parse(String text) {
        return VmConfigParser.parse(105, text, SOURCE);
    }

    @Nested
    class RealShapedFile {
        private final VmConfig c = parse(REAL);

        @Test
        void descriptionIsPercentDecodedAndJoinedWithNewlines() {
            assertEquals("""
                    iDRAC 8 console box: reach https://10.0.0.8 with its expired certificate

                    Owner: Grüße team, 100% sure
                    time-shift: on""", c.description());
        }

        @Test
        void mainSectionHoldsOnlyMainKeysInFileOrder() {
            assertEquals(20, c.main().size());
            assertEquals("agent", c.main().keySet().iterator().next());
            assertEquals(Optional.of("2021-03-01T12:00:00"), c.startdate());
            assertEquals(Optional.of("-rtc base=2021-03-01T12:00:00,clock=vm"), c.args());
            assertEquals(Optional.of("local:snippets/time-shift-hook"), c.hookscript());
            assertEquals(Optional.of("idrac-console"), c.name());
            assertEquals(Optional.of("order=scsi0;ide2;net0"), c.get("boot"));
            assertEquals(Optional.empty(), c.lock());
            assertEquals(Optional.empty(), c.vmstate());
            assertFalse(c.main().containsKey("delete"));
            assertFalse(c.main().containsKey("ipconfig0"), "special sections stay out of main");
            assertFalse(c.main().containsKey("description"));
            assertFalse(c.template());
            assertTrue(c.agentEnabled());
            assertEquals(List.of("idrac", "time-shift"), c.tags());
        }

        @Test
        void pendingIsItsOwnMap() {
            assertEquals(Map.of("delete", "args", "startdate", "2022-06-15"), c.pending());
        }

        @Test
        void snapshotsKeepTheirOwnValuesAndDescription() {
            assertEquals(List.of("before-shift", "after_shift-2"), List.copyOf(c.snapshots().keySet()));
            Map<String, String> before = c.snapshots().get("before-shift");
            assertEquals("state before the clock: shift", before.get("description"));
            assertEquals("now", before.get("startdate"));
            assertEquals("1714000100", before.get("snaptime"));
            assertEquals("local-lvm:vm-105-state-before-shift", before.get("vmstate"));
            Map<String, String> after = c.snapshots().get("after_shift-2");
            assertEquals("before-shift", after.get("parent"));
            assertFalse(after.containsKey("description"));
        }

        @Test
        void mapsAreUnmodifiable() {
            assertThrows(UnsupportedOperationException.class, () -> c.main().put("x", "y"));
            assertThrows(UnsupportedOperationException.class, () -> c.snapshots().get("before-shift").clear());
        }

        @Test
        void digestIsTheSha1OfTheBytes() {
            assertEquals(Optional.of("21b62d471309a3f7474fdb8b45e9ae722dfe5e51"), parse("memory: 512\n").digest());
            assertEquals(40, c.digest().orElseThrow().length());
        }
    }

    @Nested
    class Format {
        @Test
        void emptyFileIsAnEmptyConfig() {
            VmConfig c = parse("");
            assertEquals("", c.description());
            assertTrue(c.main().isEmpty() && c.pending().isEmpty() && c.snapshots().isEmpty());
            assertEquals(Optional.of("da39a3ee5e6b4b0d3255bfef95601890afd80709"), c.digest());
        }

        @Test
        void whitespaceAroundValuesIsTrimmedAndColonSpaceIsOptional() {
            VmConfig c = parse("memory:512\nname:   web01  \r\n   \n\t\nargs: -a  -b \n");
            assertEquals(Optional.of("512"), c.get("memory"));
            assertEquals(Optional.of("web01"), c.name());
            assertEquals(Optional.of("-a  -b"), c.args());
        }

        @Test
        void valueMayContainColons() {
            assertEquals(Optional.of("local:snippets/hook.sh"), parse("hookscript: local:snippets/hook.sh").hookscript());
        }

        @Test
        void descriptionKeyLineAppendsToTheNotes() {
            assertEquals("first\nsecond: x", parse("#first\ndescription: second%3A x\nmemory: 1\n").description());
        }

        @Test
        void descriptionLinesMayComeLaterInTheSectionToo() {
            assertEquals("a\nb", parse("#a\nmemory: 1\n#b\n").description());
        }

        @Test
        void trailingEmptyDescriptionLinesAreRemoved() {
            assertEquals("notes", parse("#notes\n#\n#   \nmemory: 1\n").description());
        }

        @Test
        void pendingHeaderIsCaseInsensitiveAndPendingMayHaveNotes() {
            VmConfig c = parse("memory: 1\n[pending]\n#new notes\nmemory: 2\n");
            assertEquals(Map.of("memory", "2", "description", "new notes"), c.pending());
            assertEquals(Optional.of("1"), c.get("memory"));
        }

        @Test
        void deleteOutsidePendingIsDroppedAsPveDoes() {
            assertFalse(parse("delete: args\nmemory: 1\n").main().containsKey("delete"));
        }

        @Test
        void snapshotsWithoutPendingOrMain() {
            VmConfig c = parse("[s1]\nstartdate: 2020-01-01\n");
            assertTrue(c.main().isEmpty());
            assertEquals("2020-01-01", c.snapshots().get("s1").get("startdate"));
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', value = {
                "plain text|plain text",
                "a%3Ab|a:b",
                "%c3%a9t%C3%A9|été",
                "100% sure|100% sure",
                "50%zz|50%zz",
                "end%|end%",
                "end%4|end%4",
                "a+b|a+b",
                "%E2%9C%93 ok|✓ ok",
                "bad %FF byte|bad \uFFFD byte",
        })
        void decodeTextMatchesPve(String encoded, String decoded) {
            assertEquals(decoded, VmConfigParser.decodeText(encoded));
        }
    }

    /** What Proxmox skips with a warning (non-strict parse_vm_config) is skipped here, named by file and line. */
    @Nested
    class SkippedWithAWarning {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', quoteCharacter = '\'', ignoreLeadingAndTrailingWhitespace = false, value = {
                "memory 512|unable to parse config: memory 512 (line skipped)",
                "Memory: 512|unable to parse config: Memory: 512 (line skipped)",
                " memory: 512|unable to parse config:  memory: 512 (line skipped)",
                "net 0: virtio|unable to parse config: net 0: virtio (line skipped)",
                "a1b: 2|unable to parse config: a1b: 2 (line skipped)",
                "memory:|unable to parse config: memory: (line skipped)",
                "[s1] x|unable to parse config: [s1] x (line skipped)",
                "delete: args|property 'delete' is only allowed in [PENDING] (line skipped)",
                "template: maybe|unable to parse value of 'template' - type check ('boolean') failed - got 'maybe' (line skipped)",
                "name: web_01|unable to parse value of 'name' - value does not look like a valid DNS name (line skipped)",
                "tags: a;b!|unable to parse value of 'tags' - invalid characters in tag (line skipped)",
                "hookscript: l:x|unable to parse value of 'hookscript' - unable to parse volume ID 'l:x' (line skipped)",
                "delete: |unable to parse value of 'delete' - unknown setting 'delete' (line skipped)",
                "agent: 1,x=1|unable to parse value of 'agent' - invalid key in comma-separated list property: x (the agent counts as disabled) (line skipped)",
        })
        void lineIsSkippedAndNamed(String line, String warning) {
            VmConfig c = parse("cores: 1\n" + line + "\n");

            assertEquals(List.of(SOURCE + ":2: " + warning), c.warnings());
            assertEquals(Map.of("cores", "1"), c.main());
        }

        @Test
        void byteOrderMarkHidesTheFirstKey() {
            VmConfig c = VmConfigParser.parse(105, new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'c', 'o', 'r', 'e', 's', ':', ' ', '1'}, SOURCE);

            assertEquals(Map.of(), c.main());
            assertEquals(List.of(SOURCE + ":1: unable to parse config: \uFEFFcores: 1 (line skipped)"), c.warnings());
        }

        @Test
        void controlCharactersAreEscapedAndLongLinesCut() {
            String line = "x\u0001\u001b[31m\\" + "y".repeat(200);
            String w = parse(line + "\n").warnings().get(0);

            assertEquals(SOURCE + ":1: unable to parse config: x\\x01\\x1b[31m\\\\" + "y".repeat(72) + "... (line skipped)", w);
        }

        @Test
        void valueWithACarriageReturnInsideIsDroppedButArgsKeepIt() {
            VmConfig c = parse("tags: a\rb\nargs: -a\r-b\nname: ok\r\n");

            assertEquals(Map.of("args", "-a\r-b", "name", "ok"), c.main());
            assertEquals(List.of(SOURCE + ":1: unable to parse value of 'tags' - property contains a line feed (line skipped)"),
                    c.warnings());
        }
    }

    /** {@code key: } with nothing but blanks after the colon, as Proxmox writes after clearing a field. */
    @Nested
    class EmptyValues {
        @Test
        void blankValueIsTheLastBlankAsPerlsLazyMatchLeavesIt() {
            VmConfig c = parse("tags: \nboot: \nargs: \nstartdate:\t\nlock:   \n");

            assertEquals(Map.of("tags", " ", "boot", " ", "args", " ", "startdate", "\t", "lock", " "), c.main());
            assertEquals(List.of(), c.warnings());
            assertEquals(List.of(), c.tags());
        }

        @Test
        void colonWithNothingAfterItIsSkipped() {
            VmConfig c = parse("tags:\n");

            assertEquals(Map.of(), c.main());
            assertEquals(1, c.warnings().size());
        }

        @Test
        void blankDescriptionIsAValueUntilNotesReplaceIt() {
            assertEquals(" ", parse("description: \n").description());
            assertEquals("n", parse("description: \n#n\n").description());
        }
    }

    @Nested
    class Sections {
        @Test
        void repeatedSectionsAndKeysKeepTheLaterOne() {
            VmConfig c = parse("name: a\nname: b\n[PENDING]\nmemory: 1\n[PENDING]\ncores: 2\n[s1]\ncores: 1\n[s1]\nsnaptime: 2\n"
                    + "[special:cloudinit]\nname: x\n[special:cloudinit]\nname: y\n");

            assertEquals(Map.of("name", "b"), c.main());
            assertEquals(Map.of("cores", "2"), c.pending());
            assertEquals(Map.of("s1", Map.of("snaptime", "2")), c.snapshots());
            assertEquals(Map.of("cloudinit", Map.of("name", "y")), c.specials());
            assertEquals(List.of(SOURCE + ":5: duplicate section: pending (the later one is used)",
                    SOURCE + ":9: duplicate snapshot section: s1 (the later one is used)",
                    SOURCE + ":13: duplicate special section: cloudinit (the later one is used)"), c.warnings());
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"[special:other]", "[special:CloudInit]", "[a]", "[]", "[:3]", "[x y]"})
        void unknownSectionIsSkippedWithItsLinesUntilTheNextKnownHeader(String header) {
            VmConfig c = parse("cores: 1\n" + header + "\nagent: 0\ncores: 9\n[PENDING]\ncores: 2\n");

            assertEquals(Map.of("cores", "1"), c.main());
            assertEquals(Map.of("cores", "2"), c.pending());
            assertEquals(Map.of(), c.specials());
            assertEquals(1, c.warnings().size(), c.warnings().toString());
            assertTrue(c.warnings().get(0).startsWith(SOURCE + ":2: skipping unknown section: '"), c.warnings().get(0));
        }

        @Test
        void specialPrefixIsCaseInsensitiveButTheNameIsNot() {
            VmConfig c = parse("[SPECIAL:cloudinit]\nname: x\n[special:fleecing]\nfleecing-images: s1:vm-1-fleece-0\nmemory: 1\n");

            assertEquals(Map.of("cloudinit", Map.of("name", "x"), "fleecing", Map.of("fleecing-images", "s1:vm-1-fleece-0")),
                    c.specials());
            assertEquals(List.of(SOURCE + ":5: unable to parse value of 'memory' - unknown setting 'memory' (line skipped)"),
                    c.warnings());
        }

        @Test
        void cloudinitSectionValuesAreNotChecked() {
            VmConfig c = parse("[special:cloudinit]\nname: not_a_dns_name\ntemplate: maybe\n");

            assertEquals(Map.of("name", "not_a_dns_name", "template", "maybe"), c.specials().get("cloudinit"));
            assertEquals(List.of(), c.warnings());
        }

        @Test
        void snapstateIsFoundAnywhereInALineAndDroppedFromMain() {
            VmConfig c = parse("snapstate: prepare\ntags: a snapstate: delete\n[s1]\nargs: -x snapstate:prepare \n");

            assertEquals(Map.of(), c.main());
            assertEquals(Map.of("s1", Map.of("snapstate", "prepare")), c.snapshots());
        }

        @Test
        void cdromIsReadAsIde2() {
            assertEquals(Map.of("ide2", "none,media=cdrom"), parse("cdrom: none,media=cdrom\n").main());
        }
    }

    /** check_type for the keys this tool uses. */
    @Nested
    class Values {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', value = {"1|1", "0|0", "yes|1", "TRUE|1", "On|1", "off|0", "No|0", "FALSE|0"})
        void booleansAreNormalisedToOneOrZero(String value, String stored) {
            assertEquals(Optional.of(stored), parse("template: " + value + "\n").get("template"));
            assertEquals(Optional.of(stored), parse("localtime: " + value + "\n").get("localtime"));
            assertEquals(Optional.of(stored), parse("tdf: " + value + "\n").get("tdf"));
        }

        @Test
        void plainStringsLoseOnePairOfQuotesButFormattedOnesKeepThem() {
            VmConfig c = parse("startdate: \"2021-03-01\"\nlock: \"\"backup\"\"\nostype: \"l26\nargs: \"-a\"\n");

            assertEquals(Optional.of("2021-03-01"), c.startdate());
            assertEquals(Optional.of("\"backup\""), c.lock());
            assertEquals(Optional.of("\"l26"), c.get("ostype"));
            assertEquals(Optional.of("\"-a\""), c.args(), "args: is stored before check_type");
        }

        @Test
        void enumsAreNotCheckedWhenReading() {
            VmConfig c = parse("lock: whatever\nostype: beos\n");

            assertEquals(Optional.of("whatever"), c.lock());
            assertEquals(Optional.of("beos"), c.get("ostype"));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"local:snippets/h.sh", "Local-1.b:x", "ab:c:d", "a0:x"})
        void volumeIdsAreCaseInsensitive(String volid) {
            assertEquals(Optional.of(volid), parse("hookscript: " + volid + "\n").hookscript());
            assertEquals(Optional.of(volid), parse("vmstate: " + volid + "\n").vmstate());
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"a:x", "1a:x", "ab-:x", "ab:", "abx", "_ab:x", "a b:x"})
        void badVolumeIdsAreDropped(String volid) {
            assertEquals(Optional.empty(), parse("hookscript: " + volid + "\n").hookscript());
        }

        @Test
        void tagsAreCheckedOneByOneCaseInsensitive() {
            assertEquals(List.of("Lab", "time-shift", "v1.2+x", "_u"), parse("tags: Lab;time-shift,v1.2+x _u\n").tags());
            assertEquals(List.of(), parse("tags: ok;-bad\n").tags());
        }

        @Test
        void tagsSplitOnLoneNbspAndNelBytesAndOnlyOnNulWhenThereIsOne() {
            VmConfig spaced = VmConfigParser.parse(105, new byte[]{'t', 'a', 'g', 's', ':', ' ', 'a', (byte) 0xA0, 'b',
                    (byte) 0x85, 'c'}, SOURCE);
            VmConfig nul = parse("tags: a\u0000b\u0000\u0000\n");
            VmConfig nulInner = parse("tags: a\u0000\u0000b\n");

            assertEquals(List.of("a", "b", "c"), spaced.tags());
            assertEquals(List.of("a", "b"), nul.tags());
            assertEquals(List.of(), nulInner.tags());
            assertEquals(1, nulInner.warnings().size());
        }
    }

    @Nested
    class FromFile {
        @TempDir
        Path dir;

        @Test
        void readsTheFileAndDigestsItsRawBytes() throws IOException {
            Path f = dir.resolve("105.conf");
            Files.write(f, "memory: 512\n".getBytes(StandardCharsets.US_ASCII));

            VmConfig c = VmConfigParser.parse(105, f);

            assertEquals(105, c.vmid());
            assertEquals(Optional.of("21b62d471309a3f7474fdb8b45e9ae722dfe5e51"), c.digest());
        }

        @Test
        void digestCoversBytesThatAreNotUtf8() throws IOException {
            Path f = dir.resolve("105.conf");
            byte[] raw = {'a', 'r', 'g', 's', ':', ' ', 'x', (byte) 0xFF, '\n'};
            Files.write(f, raw);

            VmConfig c = VmConfigParser.parse(105, f);

            assertEquals(Optional.of(VmConfigParser.sha1Hex(raw)), c.digest());
            assertEquals(Optional.of("x\uFFFD"), c.args());
        }

        @Test
        void missingFileMeansTheVmIsNotOnThisNode() {
            Path f = dir.resolve("999.conf");

            EnvironmentException e = assertThrows(EnvironmentException.class, () -> VmConfigParser.parse(999, f));

            assertEquals("VM 999 does not exist on this node (no " + f + ")", e.getMessage());
            assertEquals(3, e.exitCode());
        }

        @Test
        void unreadablePathNamesTheFile() {
            EnvironmentException e = assertThrows(EnvironmentException.class, () -> VmConfigParser.parse(105, dir));

            assertTrue(e.getMessage().startsWith("cannot read " + dir + ": "), e.getMessage());
        }
    }
}

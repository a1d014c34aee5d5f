package io.timeshift.pve.config;

import io.timeshift.pve.error.EnvironmentException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

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

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("memory: 1\nmemory 512\n", 2, "not a \"key: value\" line: 'memory 512'"),
                Arguments.of("Memory: 512\n", 1, "bad key 'Memory'"),
                Arguments.of("memory: 1\n memory: 512\n", 2, "bad key ' memory'"),
                Arguments.of("net 0: virtio\n", 1, "bad key 'net 0'"),
                Arguments.of("#x\n\nmemory:\n", 3, "no value for key 'memory'"),
                Arguments.of("memory: 1\ncores: 2\nmemory: 2\n", 3, "duplicate key 'memory' in the main section"),
                Arguments.of("[PENDING]\nstartdate: now\nstartdate: 2020-01-01\n", 3,
                        "duplicate key 'startdate' in [PENDING]"),
                Arguments.of("memory: 1\n\n[snap1]\nsnaptime: 1\nsnaptime: 2\n", 5, "duplicate key 'snaptime' in [snap1]"),
                Arguments.of("[snap one]\n", 1,
                        "bad section header '[snap one]' ([PENDING], [special:<name>] or [<snapshot name>])"),
                Arguments.of("[s]\n", 1, "bad section header '[s]' ([PENDING], [special:<name>] or [<snapshot name>])"),
                Arguments.of("[s1]\nmemory: 1\n[s1]\n", 3, "section [s1] appears twice"),
                Arguments.of("[PENDING]\n[pending]\n", 2, "section [PENDING] appears twice"));
    }

    @ParameterizedTest(name = "line {1}: {2}")
    @MethodSource("badFiles")
    void badLinesNameFileAndLine(String text, int line, String what) {
        ConfigParseException e = assertThrows(ConfigParseException.class, () -> parse(text));

        assertEquals(SOURCE + ":" + line + ": " + what + " (expected \"key: value\")", e.getMessage());
        assertEquals(line, e.line());
        assertEquals(2, e.exitCode());
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
            byte[] raw = {'n', 'a', 'm', 'e', ':', ' ', 'x', (byte) 0xFF, '\n'};
            Files.write(f, raw);

            VmConfig c = VmConfigParser.parse(105, f);

            assertEquals(Optional.of(VmConfigParser.sha1Hex(raw)), c.digest());
            assertEquals(Optional.of("x\uFFFD"), c.name());
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

        @Test
        void parseErrorsNameThePath() throws IOException {
            Path f = dir.resolve("105.conf");
            Files.writeString(f, "memory: 1\noops\n");

            ConfigParseException e = assertThrows(ConfigParseException.class, () -> VmConfigParser.parse(105, f));

            assertTrue(e.getMessage().startsWith(f + ":2: "), e.getMessage());
        }
    }
}

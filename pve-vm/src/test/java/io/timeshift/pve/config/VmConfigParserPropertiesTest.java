package io.timeshift.pve.config;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Group;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Any byte sequence is a config Proxmox would read with warnings: the reader never throws on content. */
class VmConfigParserPropertiesTest {
    private static final String SOURCE = "/etc/pve/qemu-server/105.conf";

    /** Each warning is one printable line naming the file and a line number of the input. */
    private static void assertWarningsAreSafeLines(VmConfig c, byte[] raw) {
        int lines = 1;
        for (byte b : raw) {
            lines += b == '\n' ? 1 : 0;
        }
        for (String w : c.warnings()) {
            assertTrue(w.startsWith(SOURCE + ":"), w);
            int colon = w.indexOf(':', SOURCE.length() + 1);
            int line = Integer.parseInt(w.substring(SOURCE.length() + 1, colon));
            assertTrue(line >= 1 && line <= lines, w);
            for (int i = 0; i < w.length(); i++) {
                char ch = w.charAt(i);
                assertFalse(ch < 0x20 || (ch >= 0x7F && ch <= 0x9F) || ch == 0x2028 || ch == 0x2029,
                        "control character " + (int) ch + " in: " + w);
            }
            assertTrue(w.length() < SOURCE.length() + 400, "warning not cut: " + w.length());
        }
    }

    @Group
    class AnyBytes {
        @Property
        void areReadWithoutAnExceptionAndDigestedAsTheyAre(@ForAll @Size(max = 600) byte[] raw) {
            VmConfig c = VmConfigParser.parse(105, raw, SOURCE);

            assertEquals(VmConfigParser.sha1Hex(raw), c.digest().orElseThrow());
            assertWarningsAreSafeLines(c, raw);
        }

        @Property
        void fromAConfigAlphabetAreReadWithoutAnException(@ForAll("configAlphabet") byte[] raw) {
            VmConfig c = VmConfigParser.parse(105, raw, SOURCE);

            assertWarningsAreSafeLines(c, raw);
            c.agentEnabled();
            c.tags();
            c.template();
        }

        @Provide
        Arbitrary<byte[]> configAlphabet() {
            byte[] alphabet = ("\n\n\r \t:[]#%=,;\0abcdeginprstz01PENDIG-_" + "\u0085\u00a0\u00ff").getBytes(StandardCharsets.ISO_8859_1);
            return Arbitraries.integers().between(0, alphabet.length - 1).list().ofMaxSize(400).map(ix -> {
                byte[] b = new byte[ix.size()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = alphabet[ix.get(i)];
                }
                return b;
            });
        }
    }

    @Group
    class ConfigShapedLines {
        @Property(tries = 500)
        void areReadWithoutAnException(@ForAll("lines") List<byte[]> lines) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] l : lines) {
                out.writeBytes(l);
                out.write('\n');
            }
            byte[] raw = out.toByteArray();

            VmConfig c = VmConfigParser.parse(105, raw, SOURCE);

            assertWarningsAreSafeLines(c, raw);
            assertFalse(c.main().containsKey("snapstate"), "snapstate is never kept in main");
            assertFalse(c.main().containsKey("delete"), "delete is only kept in [PENDING]");
            if (c.main().containsKey("template")) {
                assertTrue(List.of("0", "1").contains(c.main().get("template")), "booleans are normalised");
            }
        }

        @Provide
        Arbitrary<List<byte[]>> lines() {
            Arbitrary<String> key = Arbitraries.of("agent", "tags", "name", "startdate", "lock", "args", "description",
                    "hookscript", "vmstate", "template", "delete", "snapstate", "cdrom", "memory", "Name", " name", "a1b", "");
            Arbitrary<String> sep = Arbitraries.of(":", ": ", ":  ", ":\t", " :", "");
            Arbitrary<String> value = Arbitraries.oneOf(
                    Arbitraries.of("1", "0", "yes", "maybe", " ", "", "\"now\"", "enabled=1", "1,type=isa", "type=isa",
                            "enabled=0,1", "a;b c", "local:snippets/h", "a:x", "web01", "x\ry", "snapstate: prepare",
                            "%3A%C3%A9%zz", "\u0000", "\u00a0", "\u0085"),
                    Arbitraries.strings().ofMaxLength(30));
            Arbitrary<String> keyLine = net.jqwik.api.Combinators.combine(key, sep, value).as((k, s, v) -> k + s + v);
            Arbitrary<String> header = Arbitraries.of("[PENDING]", "[pending] ", "[special:cloudinit]", "[special:CloudInit]",
                    "[special:fleecing]", "[special:x]", "[snap1]", "[a]", "[]", "[x]y", "[:3]");
            Arbitrary<String> other = Arbitraries.of("#note", "#", "", " ", "\t\r", "garbage", "\ufeffname: x");
            Arbitrary<String> line = Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(6, keyLine), net.jqwik.api.Tuple.of(1, header), net.jqwik.api.Tuple.of(1, other));
            return line.map(s -> s.getBytes(StandardCharsets.ISO_8859_1)).list().ofMaxSize(25);
        }
    }

    @Group
    class HugeInput {
        @Example
        void aFiveMegabyteLineIsOneWarningCut() {
            byte[] raw = new byte[5 * 1024 * 1024];
            Arrays.fill(raw, (byte) 'x');

            VmConfig c = VmConfigParser.parse(105, raw, SOURCE);

            assertEquals(1, c.warnings().size());
            assertTrue(c.warnings().get(0).length() < 200, c.warnings().get(0));
        }

        @Example
        void aFiveMegabyteValueIsKept() {
            byte[] head = "args: ".getBytes(StandardCharsets.US_ASCII);
            byte[] raw = Arrays.copyOf(head, 5 * 1024 * 1024);
            Arrays.fill(raw, head.length, raw.length, (byte) 'y');

            VmConfig c = VmConfigParser.parse(105, raw, SOURCE);

            assertEquals(raw.length - head.length, c.args().orElseThrow().length());
        }
    }
}

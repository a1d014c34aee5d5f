package io.timeshift.pve.config;

import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Conformance: our reading of config shapes Proxmox writes or accepts. The committed corpus
 * ({@code src/test/resources/pve-config-shapes/}, our own files; its README names the upstream
 * fixtures each shape mirrors) always runs. With
 * {@code -Dtimeshift.upstream.qemuServerTests=<qemu-server checkout>/src/test} the upstream fixtures run
 * too: every {@code *.conf} under it is read without an exception, and for each
 * {@code parse-config-input/X} with a {@code parse-config-expected/X} (what {@code write_vm_config}
 * wrote after a non-strict parse) our reading of both agrees section by section.
 */
class PveConfigShapesTest {
    static final String UPSTREAM_PROPERTY = "timeshift.upstream.qemuServerTests";

    static Path shapesDir() {
        try {
            return Path.of(Objects.requireNonNull(PveConfigShapesTest.class.getResource("/pve-config-shapes/README.md"),
                    "pve-config-shapes/README.md on the test class path").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> shapes() {
        try (Stream<Path> s = Files.list(shapesDir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static VmConfig read(Path conf) {
        return VmConfigParser.parse(8006, conf);
    }

    @Test
    void corpusHasAShapeForEachRuleAndAnExpectedReadingForEachShape() throws IOException {
        List<Path> shapes = shapes();
        assertTrue(shapes.size() >= 35, "shapes: " + shapes.size());
        for (Path conf : shapes) {
            assertTrue(Files.exists(expectedOf(conf)), "no expected reading for " + conf.getFileName());
        }
        String readme = Files.readString(shapesDir().resolve("README.md"));
        for (Path conf : shapes) {
            assertTrue(readme.contains("`" + conf.getFileName() + "`"), "README.md does not list " + conf.getFileName());
        }
    }

    private static Path expectedOf(Path conf) {
        String n = conf.getFileName().toString();
        return conf.resolveSibling(n.substring(0, n.length() - ".conf".length()) + ".expected");
    }

    @TestFactory
    Stream<DynamicNode> committedCorpusReadsAsExpected() {
        return shapes().stream().map(conf -> DynamicTest.dynamicTest(conf.getFileName().toString(), () -> {
            List<String> expected = new ArrayList<>();
            for (String line : Files.readAllLines(expectedOf(conf), StandardCharsets.US_ASCII)) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    expected.add(line);
                }
            }
            VmConfig c = read(conf);
            assertEquals(String.join("\n", expected), String.join("\n", ShapeReading.render(c)));
            assertEquals(VmConfigParser.sha1Hex(Files.readAllBytes(conf)), c.digest().orElseThrow());
        }));
    }

    @TestFactory
    Stream<DynamicNode> upstreamFixturesWhenACheckoutIsGiven() {
        String dir = System.getProperty(UPSTREAM_PROPERTY);
        if (dir == null || dir.isEmpty()) {
            return Stream.empty(); // the committed corpus above runs either way
        }
        Path root = Path.of(dir);
        assertTrue(Files.isDirectory(root.resolve("parse-config-input")),
                UPSTREAM_PROPERTY + "=" + dir + " is not qemu-server's src/test (no parse-config-input/)");
        List<DynamicNode> tests = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path conf : s.filter(p -> p.getFileName().toString().endsWith(".conf") && Files.isRegularFile(p)).sorted().toList()) {
                tests.add(DynamicTest.dynamicTest("reads " + root.relativize(conf), () -> {
                    VmConfig c = assertDoesNotThrow(() -> read(conf));
                    for (String w : c.warnings()) {
                        assertFalse(w.contains("\n") || w.contains("\r"), w);
                    }
                }));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Stream<Path> s = Files.list(root.resolve("parse-config-expected"))) {
            for (Path expected : s.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList()) {
                Path input = root.resolve("parse-config-input").resolve(expected.getFileName());
                tests.add(DynamicTest.dynamicTest("input reads as written back: " + expected.getFileName(),
                        () -> sameSectionBySection(read(input), read(expected))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(tests.size() > 10, "upstream fixtures found: " + tests.size());
        return tests.stream();
    }

    /**
     * The input's reading and the reading of what Proxmox wrote back agree: same sections; in each, the
     * keys we model and the Notes are equal; every other key written back is in our reading with the
     * same value. Keys we do not model may be in our reading only (Proxmox drops unknown keys and values
     * that fail their format; we keep them as read): they are listed, not failed.
     */
    static void sameSectionBySection(VmConfig input, VmConfig written) {
        Map<String, Map<String, String>> in = sections(input);
        Map<String, Map<String, String>> out = sections(written);
        assertEquals(out.keySet(), in.keySet(), "sections");
        Set<String> onlyOurs = new TreeSet<>();
        for (Map.Entry<String, Map<String, String>> e : out.entrySet()) {
            Map<String, String> ours = in.get(e.getKey());
            for (String k : ShapeReading.USED) {
                assertEquals(e.getValue().get(k), ours.get(k), e.getKey() + " " + k);
            }
            for (Map.Entry<String, String> kv : e.getValue().entrySet()) {
                assertEquals(kv.getValue(), ours.get(kv.getKey()), e.getKey() + " " + kv.getKey());
            }
            for (String k : ours.keySet()) {
                if (!e.getValue().containsKey(k)) {
                    if (ShapeReading.USED.contains(k)) {
                        fail(e.getKey() + " " + k + " is in our reading but Proxmox dropped it");
                    }
                    onlyOurs.add(e.getKey() + "." + k);
                }
            }
        }
        if (!onlyOurs.isEmpty()) {
            System.out.println("kept by us, dropped by Proxmox (keys we do not model): " + onlyOurs);
        }
    }

    private static Map<String, Map<String, String>> sections(VmConfig c) {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        Map<String, String> main = new LinkedHashMap<>(c.main());
        if (!c.description().isEmpty()) {
            main.put("description", c.description());
        }
        m.put("main", main);
        if (!c.pending().isEmpty()) {
            m.put("pending", c.pending());
        }
        for (Map.Entry<String, Map<String, String>> e : c.snapshots().entrySet()) {
            m.put("snapshot:" + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Map<String, String>> e : c.specials().entrySet()) {
            m.put("special:" + e.getKey(), e.getValue());
        }
        return m;
    }
}

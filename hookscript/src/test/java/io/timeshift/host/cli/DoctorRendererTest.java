package io.timeshift.host.cli;

import io.timeshift.host.admin.DoctorReport;
import io.timeshift.host.admin.DoctorService.Check;
import io.timeshift.host.io.Json;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** doctor's output, from its typed report: the exact text lines, the JSON object's fields in order, the exit code. */
class DoctorRendererTest {
    private static final DoctorReport ONE_PROBLEM = new DoctorReport("pve1", null,
            List.of(new Check("java", true, "Java 17.0.9", null),
                    new Check("storage", false, "storage local does not allow the snippets content type",
                            "pvesm set local --content iso,snippets")),
            List.of("node pve2 was not checked for the snippet"), List.of("VM 105: line 3 skipped"));

    private record Rendered(int code, String out) {
    }

    private static Rendered render(DoctorReport r, boolean json) {
        StringWriter s = new StringWriter();
        int code = DoctorRenderer.render(r, json, new PrintWriter(s));
        return new Rendered(code, s.toString());
    }

    @Nested
    class AsText {
        @Test
        void printsOneLinePerCheckNoteAndWarningThenTheCountAndExitsOneOnAProblem() {
            assertEquals(new Rendered(1, String.join(System.lineSeparator(),
                    "ok    Java 17.0.9",
                    "FAIL  storage local does not allow the snippets content type (fix: pvesm set local --content iso,snippets)",
                    "note  node pve2 was not checked for the snippet",
                    "warn  VM 105: line 3 skipped",
                    "doctor: 1 problem", "")), render(ONE_PROBLEM, false));
        }

        @Test
        void countsProblemsInThePluralAndSaysNoProblemsWhenAllIsWell() {
            Check bad = new Check("policy", false, "x", "y");
            assertEquals("doctor: 2 problems", lastLine(render(new DoctorReport("n", null, List.of(bad, bad), List.of(), List.of()),
                    false).out()));
            Rendered fine = render(new DoctorReport("n", null, List.of(new Check("java", true, "ok", null)), List.of(
                    "a note is no problem"), List.of()), false);
            assertEquals(0, fine.code());
            assertEquals("doctor: no problems", lastLine(fine.out()));
        }

        private String lastLine(String s) {
            List<String> l = s.lines().toList();
            return l.get(l.size() - 1);
        }
    }

    @Nested
    class AsJson {
        @Test
        void isOneObjectWithOkNodeRemoteChecksNotesWarningsInThatOrder() {
            Rendered r = render(ONE_PROBLEM, true);
            Map<String, Object> m = Json.parseObject(r.out(), "doctor --json");

            assertEquals(1, r.code());
            assertEquals(List.of("ok", "node", "remote", "checks", "notes", "warnings"), new ArrayList<>(m.keySet()));
            assertEquals(Arrays.asList(false, "pve1", null), Arrays.asList(m.get("ok"), m.get("node"), m.get("remote")));
            assertEquals(List.of(
                    Map.of("check", "java", "ok", true, "detail", "Java 17.0.9"),
                    Map.of("check", "storage", "ok", false, "detail", "storage local does not allow the snippets content type",
                            "fix", "pvesm set local --content iso,snippets")), withoutNulls(m.get("checks")));
            assertEquals(List.of("node pve2 was not checked for the snippet"), m.get("notes"));
            assertEquals(List.of("VM 105: line 3 skipped"), m.get("warnings"));
            assertEquals(true, r.out().endsWith("}\n"));
        }

        @Test
        void namesTheRemoteEndpointInsteadOfANode() {
            Map<String, Object> m = Json.parseObject(render(new DoctorReport(null, "https://pve1:8006", List.of(), List.of(),
                    List.of()), true).out(), "doctor --json");

            assertEquals(Arrays.asList(true, null, "https://pve1:8006"), Arrays.asList(m.get("ok"), m.get("node"), m.get("remote")));
        }

        private List<Map<String, Object>> withoutNulls(Object checks) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Object o : (List<?>) checks) {
                Map<String, Object> c = new java.util.LinkedHashMap<>();
                ((Map<?, ?>) o).forEach((k, v) -> {
                    if (v != null) {
                        c.put((String) k, v);
                    }
                });
                assertEquals(List.of("check", "ok", "detail", "fix"), new ArrayList<>(((Map<?, ?>) o).keySet()));
                out.add(c);
            }
            return out;
        }
    }
}

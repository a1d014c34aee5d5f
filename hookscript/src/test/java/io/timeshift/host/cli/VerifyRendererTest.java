package io.timeshift.host.cli;

import io.timeshift.host.admin.VerifyReport;
import io.timeshift.host.finding.Finding;
import io.timeshift.host.io.Json;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** verify's output, from its typed report: exact text lines (guest findings marked), JSON fields in order, exit code. */
class VerifyRendererTest {
    private static VerifyReport report(List<Finding> findings) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("vmid", 105L);
        fields.put("policy", "fixed 2021-03-01T12:00:00Z");
        fields.put("driftMs", null);
        return new VerifyReport(105, "VM 105: fixed 2021-03-01T12:00:00Z", fields, List.of("clock within tolerance"),
                List.of("time sync kept"), findings);
    }

    private static String render(VerifyReport r, boolean json, int expectedCode) {
        StringWriter s = new StringWriter();
        assertEquals(expectedCode, VerifyRenderer.render(r, json, new PrintWriter(s)));
        return s.toString();
    }

    @Nested
    class AsText {
        @Test
        void printsTheHeaderOksNotesAndFindingsWithGuestFindingsMarkedThenTheCount() {
            List<Finding> two = List.of(Finding.host("drift too large", "time-shift apply 105"),
                    new Finding("chrony is running", "systemctl disable --now chrony", "guest"));

            assertEquals(String.join(System.lineSeparator(), "VM 105: fixed 2021-03-01T12:00:00Z",
                    "ok    clock within tolerance",
                    "note  time sync kept",
                    "FAIL  drift too large (fix: time-shift apply 105)",
                    "FAIL  guest: chrony is running (fix: systemctl disable --now chrony)",
                    "VM 105: 2 problems", ""), render(report(two), false, 1));
        }

        @Test
        void endsWithVerifiedWhenNothingWasFound() {
            assertEquals(true, render(report(List.of()), false, 0).endsWith("VM 105: verified" + System.lineSeparator()));
            assertEquals(true, render(report(List.of(Finding.host("x", null))), false, 1)
                    .endsWith("FAIL  x" + System.lineSeparator() + "VM 105: 1 problem" + System.lineSeparator()));
        }
    }

    @Nested
    class AsJson {
        @Test
        void isTheMeasuredFieldsThenOkFindingsAndNotes() {
            Map<String, Object> m = Json.parseObject(render(report(List.of(Finding.host("drift too large", "time-shift apply 105"))),
                    true, 1), "verify --json");

            assertEquals(List.of("vmid", "policy", "driftMs", "ok", "findings", "notes"), new ArrayList<>(m.keySet()));
            assertEquals(false, m.get("ok"));
            assertEquals(List.of(Map.of("problem", "drift too large", "fix", "time-shift apply 105", "source", "host")),
                    m.get("findings"));
            assertEquals(List.of("time sync kept"), m.get("notes"));
        }
    }
}

package io.timeshift.host.cli;

import io.timeshift.host.io.Json;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** plan's text from the guest's JSON object: one line per target (window, error or none), window, suggestion, conflicts. */
class PlanRendererTest {
    private static String text(String guestJson) {
        StringWriter s = new StringWriter();
        PlanRenderer.text(105, Json.parseObject(guestJson, "plan"), new PrintWriter(s));
        return s.toString().replace(System.lineSeparator(), "\n");
    }

    @Nested
    class AsText {
        @Test
        void listsEachTargetThenTheCommonWindowTheSuggestionAndTheConflicts() {
            assertEquals("""
                    VM 105: certificate validity windows, probed from inside the guest
                      bmc1:443  2019-01-01T00:00:00Z .. 2021-01-01T00:00:00Z
                      bmc2:443  error: connection refused
                      bmc3:443  no window (its own chain never is valid at once)
                    common window: 2019-01-01T00:00:00Z .. 2021-01-01T00:00:00Z
                    suggested date: 2020-01-01T00:00:00Z
                    conflict: bmc1:443, bmc4:443: windows do not overlap (they need separate VMs)
                    """, text("""
                    {"targets": [
                      {"target": "bmc1:443", "window": {"notBefore": "2019-01-01T00:00:00Z", "notAfter": "2021-01-01T00:00:00Z"}},
                      {"target": "bmc2:443", "error": "connection refused"},
                      {"target": "bmc3:443", "window": null}, 42],
                     "window": {"notBefore": "2019-01-01T00:00:00Z", "notAfter": "2021-01-01T00:00:00Z"},
                     "suggested": "2020-01-01T00:00:00Z",
                     "conflicts": [{"targets": ["bmc1:443", "bmc4:443"], "reason": "windows do not overlap"}, "x"]}
                    """));
        }

        @Test
        void saysNoneForAMissingWindowAndSuggestion() {
            assertEquals("""
                    VM 105: certificate validity windows, probed from inside the guest
                    common window: none
                    suggested date: none
                    """, text("{}"));
        }
    }
}

package io.timeshift.host.cli;

import io.timeshift.host.admin.PlanService;
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

    @Nested
    class Applied {
        private String applied(PlanService.Applied a) {
            StringWriter s = new StringWriter();
            PlanRenderer.applied(a, new PrintWriter(s));
            return s.toString().replace(System.lineSeparator(), "\n");
        }

        @Test
        void namesThePolicyBeforeAndAfterTheStartdateAndEveryNote() {
            assertEquals("""
                    warning: not recorded in the audit log: disk full
                    VM 105: policy now continue 2020-07-02T12:00:00Z (was continue 2021-03-01T12:00:00Z); startdate \
                    2020-07-02T14:00:00 (the guest's local time) applies from the next cold start; shift the running guest now \
                    with: time-shift apply 105
                    VM 105: Notes left unchanged
                    note: mode continue resumes from the guest time at the last stop; the new date is used when no stop time \
                    is recorded
                    """, applied(new PlanService.Applied(105, 0, new PlanService.DateChange("continue 2021-03-01T12:00:00Z",
                    "continue 2020-07-02T12:00:00Z", "2020-07-02T14:00:00", true, "VM 105: Notes left unchanged", true,
                    "warning: not recorded in the audit log: disk full"))));
        }

        @Test
        void withoutAChangeSaysThereWasNoUsableSuggestion() {
            assertEquals("VM 105: no usable suggestion; the policy was not changed\n",
                    applied(new PlanService.Applied(105, 1, null)));
        }
    }
}

package io.timeshift.host.cli;

import io.timeshift.host.admin.PlanService;
import io.timeshift.host.io.Json;
import io.timeshift.common.error.TimeShiftException;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * {@code time-shift plan}'s output: the guest's result as text (one line per target, the common window,
 * the suggested date, the conflicts) or as its JSON; a target the guest could not probe adds one line on stderr.
 * {@code --apply}'s outcome is text on the messages stream (stderr with {@code --json}).
 */
final class PlanRenderer {
    private PlanRenderer() {
    }

    /** Prints the plan; returns its exit code. */
    static int render(PlanService.Plan plan, boolean json, PrintWriter out, PrintWriter err) {
        if (json) {
            out.print(new String(Json.pretty(plan.report()), StandardCharsets.UTF_8));
        } else {
            text(plan.vmid(), plan.report(), out);
        }
        out.flush();
        if (plan.exitCode() == TimeShiftException.ENVIRONMENT) {
            err.println("time-shift: VM " + plan.vmid() + ": a target could not be probed from the guest (its error is listed above);"
                    + " check the address and that the VM can reach it");
            err.flush();
        }
        return plan.exitCode();
    }

    @SuppressWarnings("unchecked")
    static void text(int vmid, Map<String, Object> report, PrintWriter out) {
        out.println("VM " + vmid + ": certificate validity windows, probed from inside the guest");
        if (report.get("targets") instanceof List<?> ts) {
            for (Object o : ts) {
                if (!(o instanceof Map<?, ?> t)) {
                    continue;
                }
                Object w = t.get("window");
                String text = t.get("error") != null ? "error: " + t.get("error")
                        : w instanceof Map<?, ?> wm ? wm.get("notBefore") + " .. " + wm.get("notAfter") : "no window (its own chain never is valid at once)";
                out.println("  " + t.get("target") + "  " + text);
            }
        }
        Object w = report.get("window");
        out.println("common window: " + (w instanceof Map<?, ?> wm ? wm.get("notBefore") + " .. " + wm.get("notAfter") : "none"));
        out.println("suggested date: " + (report.get("suggested") == null ? "none" : report.get("suggested")));
        if (report.get("conflicts") instanceof List<?> cs) {
            for (Object o : cs) {
                if (o instanceof Map<?, ?> c) {
                    Object targets = c.get("targets");
                    out.println("conflict: " + (targets instanceof List<?> l ? String.join(", ", (List<String>) l) : targets) + ": "
                            + c.get("reason") + " (they need separate VMs)");
                }
            }
        }
    }

    /** What {@code --apply} changed, or why nothing was. */
    static void applied(PlanService.Applied a, PrintWriter messages) {
        int vmid = a.vmid();
        PlanService.DateChange c = a.changed();
        if (c == null) {
            messages.println("VM " + vmid + ": no usable suggestion; the policy was not changed");
            messages.flush();
            return;
        }
        if (c.auditWarning() != null) {
            messages.println(c.auditWarning());
        }
        messages.println("VM " + vmid + ": policy now " + c.policyAfter() + " (was " + c.policyBefore() + "); startdate "
                + c.startdate() + (c.guestLocalTime() ? " (the guest's local time)" : "")
                + " applies from the next cold start; shift the running guest now with:"
                + " time-shift apply " + vmid);
        if (c.notesLine() != null) {
            messages.println(c.notesLine());
        }
        if (c.modeContinue()) {
            messages.println("note: mode continue resumes from the guest time at the last stop; the new date is used when no"
                    + " stop time is recorded");
        }
        messages.flush();
    }
}

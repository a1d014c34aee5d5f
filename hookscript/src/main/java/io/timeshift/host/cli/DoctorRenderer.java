package io.timeshift.host.cli;

import io.timeshift.host.admin.DoctorReport;
import io.timeshift.host.admin.DoctorService;
import io.timeshift.host.io.Json;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code time-shift doctor}'s output: one line per check, note and warning, then the verdict; or one JSON object. */
final class DoctorRenderer {
    private DoctorRenderer() {
    }

    /** Prints the report and returns the command's exit code. */
    static int render(DoctorReport report, boolean json, PrintWriter out) {
        long problems = report.problems();
        if (json) {
            out.print(new String(Json.pretty(json(report)), StandardCharsets.UTF_8));
        } else {
            for (DoctorService.Check c : report.checks()) {
                out.println((c.ok() ? "ok    " : "FAIL  ") + c.detail() + (c.ok() ? "" : " (fix: " + c.fix() + ")"));
            }
            for (String n : report.notes()) {
                out.println("note  " + n);
            }
            for (String w : report.warnings()) {
                out.println("warn  " + w);
            }
            out.println(problems == 0 ? "doctor: no problems" : "doctor: " + problems + (problems == 1 ? " problem" : " problems"));
        }
        out.flush();
        return report.exitCode();
    }

    /** {@code {ok, node, remote, checks: [{check, ok, detail, fix}], notes, warnings}}. */
    static Map<String, Object> json(DoctorReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", report.problems() == 0);
        m.put("node", report.node());
        m.put("remote", report.remote());
        List<Object> checks = new ArrayList<>();
        for (DoctorService.Check c : report.checks()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("check", c.check());
            cm.put("ok", c.ok());
            cm.put("detail", c.detail());
            cm.put("fix", c.fix());
            checks.add(cm);
        }
        m.put("checks", checks);
        m.put("notes", report.notes());
        m.put("warnings", report.warnings());
        return m;
    }
}

package io.timeshift.host.cli;

import io.timeshift.host.admin.VerifyReport;
import io.timeshift.host.finding.Finding;
import io.timeshift.host.io.Json;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code time-shift verify}'s output: the header, one line per ok, note and finding, then the verdict; or one JSON object. */
final class VerifyRenderer {
    private VerifyRenderer() {
    }

    /** Prints the report and returns the command's exit code. */
    static int render(VerifyReport r, boolean json, PrintWriter out) {
        if (json) {
            out.print(new String(Json.pretty(json(r)), StandardCharsets.UTF_8));
        } else {
            out.println(r.header());
            for (String l : r.oks()) {
                out.println("ok    " + l);
            }
            for (String l : r.notes()) {
                out.println("note  " + l);
            }
            for (Finding f : r.findings()) {
                out.println("FAIL  " + (f.source().equals("guest") ? "guest: " : "") + f.line());
            }
            out.println(r.ok() ? "VM " + r.vmid() + ": verified" : "VM " + r.vmid() + ": " + r.findings().size()
                    + (r.findings().size() == 1 ? " problem" : " problems"));
        }
        out.flush();
        return r.exitCode();
    }

    /** Prints the warnings of recording the verify (after the report, text and JSON alike), one line each. */
    static void warnings(List<String> lines, PrintWriter out) {
        for (String l : lines) {
            out.println(l);
        }
        out.flush();
    }

    /** The measured fields, then {@code ok}, {@code findings [{problem, fix, source}]} and {@code notes}. */
    static Map<String, Object> json(VerifyReport r) {
        Map<String, Object> m = new LinkedHashMap<>(r.fields());
        m.put("ok", r.ok());
        List<Object> fj = new ArrayList<>();
        for (Finding f : r.findings()) {
            fj.add(f.json());
        }
        m.put("findings", fj);
        m.put("notes", r.notes());
        return m;
    }
}

package io.timeshift.host.cli;

import io.timeshift.common.text.Sanitizer;
import io.timeshift.host.io.Json;
import io.timeshift.host.status.StatusRow;
import io.timeshift.host.vmconfig.ConfigEdits;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code time-shift status}'s output: the rows ({@link StatusRow}) as the table (the NODE column for
 * {@code --all}), or as {@code --json}: an array with one object per row whose members are the row's
 * components in their order (contract fields; times ISO-8601 UTC, {@code driftMs} a number, null where
 * not known).
 */
public final class StatusRenderer {
    private StatusRenderer() {
    }

    /** {@code --json}: the pretty array, newline-terminated. */
    public static String json(List<StatusRow> rows) {
        List<Map<String, Object>> objects = new ArrayList<>(rows.size());
        for (StatusRow r : rows) {
            objects.add(jsonObject(r));
        }
        return new String(Json.pretty(objects), StandardCharsets.UTF_8);
    }

    /**
     * One row as its JSON object (member order as in {@code status --json}): every row has every member, null
     * where it is not known (also an unreadable row, {@link StatusRow#unreadable}).
     */
    public static Map<String, Object> jsonObject(StatusRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vmid", r.vmid());
        m.put("name", r.name());
        m.put("node", r.node());
        m.put("running", r.running());
        m.put("mode", r.mode() == null ? null : r.mode().id());
        // Instant.toString: the same text as Instants.iso wherever that has one (StatusRendererPropertiesTest)
        m.put("expectedTime", r.expectedTime() == null ? null : r.expectedTime().toString());
        m.put("guestTime", r.guestTime() == null ? null : r.guestTime().toString());
        m.put("driftMs", r.driftMs());
        m.put("inTolerance", r.inTolerance());
        m.put("timeSync", r.timeSync() == null ? null : r.timeSync().id());
        m.put("timeSyncDisabled", r.timeSyncDisabled());
        m.put("isolation", r.isolation() == null ? null : r.isolation().text());
        m.put("lastApply", r.lastApply() == null ? null : r.lastApply().members());
        m.put("problems", r.problems());
        return m;
    }

    /** The table: one row per VM, further problems on rows of their own; the NODE column for {@code --all}. */
    public static void text(PrintWriter out, List<StatusRow> rows, boolean withNode) {
        if (rows.isEmpty()) {
            out.println(withNode
                    ? "No VM in the cluster has a time-shift policy (none is tagged " + ConfigEdits.TAG + ")."
                    : "No VM has a time-shift policy on this node (enable one with: time-shift enable <vmid> --date <when>).");
            return;
        }
        String fmt = withNode
                ? "%-6s %-10s %-16s %-8s %-20s %-20s %10s  %-23s %s%n"
                : "%-6s %-16s %-8s %-8s %-24s %-24s %10s  %-22s %s%n";
        if (withNode) {
            printRow(out, fmt, true, "VMID", "NODE", "NAME", "MODE", "EXPECTED", "GUEST", "DRIFT", "LAST APPLY", "PROBLEMS");
        } else {
            printRow(out, fmt, false, "VMID", "", "NAME", "MODE", "ISOLATED", "EXPECTED", "GUEST", "DRIFT", "LAST APPLY", "PROBLEMS");
        }
        for (StatusRow r : rows) {
            StatusRow.LastApply last = r.lastApply();
            String lastS = last == null ? "-" : last.result() + " " + shortTime(last.finishedAt() != null
                    ? last.finishedAt() : last.startedAt());
            List<String> problems = r.problems();
            String drift = r.driftMs() == null ? "-" : String.format(Locale.ROOT, "%.1f ms", r.driftMs());
            String first = problems.isEmpty() ? "-" : problems.get(0);
            String mode = r.mode() == null ? "-" : r.mode().id();
            if (withNode) {
                printRow(out, fmt, true, r.vmid(), trunc(r.node(), 10), trunc(r.name(), 16), mode,
                        shortTime(r.expectedTime()), shortTime(r.guestTime()), drift, lastS, first);
            } else {
                // isolation (time-shift isolate): yes / no, "-" without a policy
                String iso = r.isolation() == null ? "-" : r.isolation().isolated() ? "yes" : "no";
                printRow(out, fmt, false, r.vmid(), "", trunc(r.name(), 16), mode, iso,
                        shortTime(r.expectedTime()), shortTime(r.guestTime()), drift, lastS, first);
            }
            for (int i = 1; i < problems.size(); i++) {
                if (withNode) {
                    printRow(out, fmt, true, "", "", "", "", "", "", "", "", problems.get(i));
                } else {
                    printRow(out, fmt, false, "", "", "", "", "", "", "", "", "", problems.get(i));
                }
            }
        }
    }

    /** One line; {@code node} is left out unless {@code withNode}. */
    private static void printRow(PrintWriter out, String fmt, boolean withNode, Object vmid, Object node, Object... rest) {
        List<Object> cells = new ArrayList<>();
        cells.add(vmid);
        if (withNode) {
            cells.add(node);
        }
        cells.addAll(Arrays.asList(rest));
        for (int i = 0; i < cells.size(); i++) {
            // names, messages and problems come from files and guests: one line each, no terminal escapes
            cells.set(i, Sanitizer.line(String.valueOf(cells.get(i))));
        }
        out.printf(Locale.ROOT, fmt, cells.toArray());
    }

    /** A time to the second: ISO-8601 without its fraction; "-" for none. */
    private static String shortTime(Object o) {
        if (o == null) {
            return "-";
        }
        String s = o.toString();
        int dot = s.indexOf('.');
        return dot > 0 ? s.substring(0, dot) + "Z" : s;
    }

    private static String trunc(String s, int n) {
        String v = s == null ? "-" : s;
        return v.length() <= n ? v : v.substring(0, n - 1) + "~";
    }
}

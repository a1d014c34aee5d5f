package io.timeshift.host.cli;

import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.io.Json;
import io.timeshift.pve.error.CheckFailedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "audit", description = "Show the hash-chained audit log; --verify checks that no line was edited, deleted or reordered.",
        footer = {"", "Examples:", "  time-shift audit", "  time-shift audit --verify"})
public final class AuditCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    @Option(names = "--verify", description = "Check the hash chain; exit 1 naming the first bad line.")
    boolean verify;

    @Option(names = "--json", description = "JSON output.")
    boolean json;

    public AuditCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() throws IOException {
        AuditLog log = new AuditLog(services.paths().auditLog(), services.clock());
        PrintWriter out = spec.commandLine().getOut();
        if (verify) {
            AuditLog.Verification v = log.verify();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", log.file().toString());
                m.put("lines", v.lines());
                m.put("ok", v.ok());
                m.put("firstBadLine", v.ok() ? null : v.firstBadLine());
                m.put("problem", v.problem());
                out.print(new String(Json.pretty(m), java.nio.charset.StandardCharsets.UTF_8));
                out.flush();
                return v.ok() ? 0 : 1;
            }
            if (!v.ok()) {
                throw new CheckFailedException(log.file() + ": " + v.problem());
            }
            out.println(log.file() + ": " + v.lines() + " lines, hash chain intact");
            return 0;
        }
        if (!Files.exists(log.file())) {
            out.println(json ? "[]" : "No audit entries yet (" + log.file() + ").");
            return 0;
        }
        List<String> lines = log.readLines();
        if (json) {
            out.println("[");
            for (int i = 0; i < lines.size(); i++) {
                out.println("  " + lines.get(i) + (i + 1 < lines.size() ? "," : ""));
            }
            out.println("]");
        } else {
            for (String l : lines) {
                Map<String, Object> m = Json.parseObject(l, log.file().toString());
                out.printf("%s  %-6s %-10s %-18s %s%n", m.get("at"), m.get("vmid") == null ? "-" : m.get("vmid"),
                        m.get("actor"), m.get("action"), Json.compact(m.get("details")));
            }
        }
        out.flush();
        return 0;
    }
}

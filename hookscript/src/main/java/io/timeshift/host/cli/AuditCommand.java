package io.timeshift.host.cli;

import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.io.AtomicFiles;
import io.timeshift.host.io.Json;
import io.timeshift.common.error.CheckFailedException;
import io.timeshift.common.error.EnvironmentException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "audit", description = "Show the hash-chained audit log; --verify checks that no line was edited, deleted or reordered.",
        footer = {"", "Examples:", "  time-shift audit", "  time-shift audit --verify"})
public final class AuditCommand implements Callable<Integer> {
    private final Services services;

    @Spec
    CommandSpec spec;

    @Option(names = "--verify", description = "Check the hash chain and the anchor (the end of the log); exit 1 naming the first bad line.")
    boolean verify;

    @Option(names = "--json", description = "JSON output.")
    boolean json;

    public AuditCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        AuditLog log = new AuditLog(services.paths().auditLog(), services.clock());
        PrintWriter out = spec.commandLine().getOut();
        if (verify) {
            return verify(log, out);
        }
        if (!Files.exists(log.file())) {
            out.println(json ? "[]" : "No audit entries yet (" + log.file() + ").");
            out.flush();
            return 0;
        }
        try {
            AuditListing.list(log, out, json);
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot read audit log", log.file(), e), e);
        }
        return 0;
    }

    private int verify(AuditLog log, PrintWriter out) {
        AuditLog.Verification v = log.verify();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", log.file().toString());
            m.put("anchorFile", log.anchorFile().toString());
            m.put("lines", v.lines());
            m.put("ok", v.ok());
            m.put("firstBadLine", v.firstBadLine() == 0 ? null : v.firstBadLine());
            m.put("problem", v.problem());
            m.put("lastHash", v.lastHash());
            m.put("anchor", v.anchor());
            m.put("note", v.note());
            out.print(new String(Json.pretty(m), StandardCharsets.UTF_8));
            out.flush();
            return v.ok() ? 0 : 1;
        }
        if (!v.ok()) {
            throw new CheckFailedException(log.file() + ": " + v.problem());
        }
        out.println(log.file() + ": " + v.lines() + " lines, hash chain intact"
                + (v.lines() == 0 ? "" : ", last hash " + v.lastHash() + ", anchor " + log.anchorFile().getFileName()
                + " (" + v.anchor() + ") " + (v.note() == null ? "matches" : "holds; " + v.note())));
        out.flush();
        return 0;
    }
}

package io.timeshift.host.testing;

import io.timeshift.host.audit.AuditLog;
import io.timeshift.host.env.HostPaths;
import io.timeshift.host.io.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Proxmox node's files under a temp directory: {@code pve/} (policies, {@code qemu-server/*.conf}),
 * {@code run/} (agent sockets), {@code state/}, {@code log/}. Writers for the inputs, readers for the
 * outputs, so tests state intent instead of paths.
 */
public final class TempHost {
    public static final String CONF = """
            agent: 1
            boot: order=scsi0
            cores: 2
            hookscript: local:snippets/time-shift-hook
            memory: 2048
            name: jump-vm
            ostype: l26
            scsi0: local-lvm:vm-105-disk-0,size=32G
            """;

    private final Path root;
    private final HostPaths paths;

    public TempHost(Path root) {
        this.root = root;
        this.paths = new HostPaths(root.resolve("pve"), root.resolve("run"), root.resolve("state"), root.resolve("log"),
                root.resolve("etc/time-shift.json"));
        try {
            Files.createDirectories(paths.pveDir().resolve("qemu-server"));
            Files.createDirectories(paths.policyDir());
            Files.createDirectories(paths.runDir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    public HostPaths paths() {
        return paths;
    }

    public TempHost policy(int vmid, String text) {
        return write(paths.policyFile(vmid), text);
    }

    public TempHost policy(PolicyJson p) {
        String text = p.text();
        int vmid = ((Number) Json.parseObject(text, "policy").get("vmid")).intValue();
        return policy(vmid, text);
    }

    public TempHost conf(int vmid, String text) {
        return write(paths.vmConf(vmid), text);
    }

    /** The default config (agent on, our hookscript) plus {@code extraLines}. */
    public TempHost confWith(int vmid, String... extraLines) {
        return conf(vmid, CONF + String.join("\n", extraLines) + (extraLines.length > 0 ? "\n" : ""));
    }

    /** The placeholder of {@code <vmid>.qga}: the hook only checks that it exists; the fake agent answers. */
    public TempHost agentSocket(int vmid) {
        return write(paths.qgaSocket(vmid), "");
    }

    public TempHost stateText(int vmid, String text) {
        return write(paths.stateFile(vmid), text);
    }

    public Map<String, Object> state(int vmid) {
        return Json.parseObject(read(paths.stateFile(vmid)), "state");
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> stateObject(int vmid, String key) {
        return (Map<String, Object>) state(vmid).get(key);
    }

    public boolean exists(Path p) {
        return Files.exists(p);
    }

    public List<Map<String, Object>> auditEntries() {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.exists(paths.auditLog())) {
            return out;
        }
        for (String line : read(paths.auditLog()).split("\n")) {
            if (!line.isEmpty()) {
                out.add(Json.parseObject(line, "audit"));
            }
        }
        return out;
    }

    public AuditLog.Verification verifyAudit(Clock clock) {
        return new AuditLog(paths.auditLog(), clock).verify();
    }

    public static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TempHost write(Path p, String text) {
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}

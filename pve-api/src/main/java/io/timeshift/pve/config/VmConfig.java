package io.timeshift.pve.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed {@code /etc/pve/qemu-server/<vmid>.conf}, sections kept apart as Proxmox keeps them
 * ({@code parse_vm_config} in qemu-server's {@code QemuServer.pm}).
 *
 * <ul>
 *   <li>{@code description}: the main section's Notes ({@code #} lines, percent-decoded like
 *       {@code PVE::Tools::decode_text}), trailing whitespace removed; {@code ""} when there is none.
 *       It is not a key of {@code main}.</li>
 *   <li>{@code main}: the applied config (what a start without pending changes uses).</li>
 *   <li>{@code pending}: the {@code [PENDING]} section (values for the next cold start, and
 *       {@code delete: key,key}); empty if none. Its Notes, if any, are under {@code "description"}.</li>
 *   <li>{@code snapshots}: snapshot name → its own map ({@code parent}, {@code snaptime},
 *       {@code vmstate}, {@code startdate}, ...; its Notes under {@code "description"}).</li>
 *   <li>{@code digest}: SHA-1 hex of the file's bytes, the {@code digest} that PVE's config API
 *       returns and checks ({@code Digest::SHA::sha1_hex($raw)}); empty for hand-built instances.</li>
 * </ul>
 * {@code [special:...]} sections (cloud-init's last-applied values) are read and checked but not kept.
 * All maps keep file order and are unmodifiable. The accessors below read the main section only.
 */
public record VmConfig(int vmid, String description, Map<String, String> main, Map<String, String> pending,
                       Map<String, Map<String, String>> snapshots, Optional<String> digest) {

    public VmConfig {
        description = description == null ? "" : description;
        main = frozen(main);
        pending = frozen(pending);
        Map<String, Map<String, String>> snaps = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, String>> e : Objects.requireNonNull(snapshots, "snapshots").entrySet()) {
            snaps.put(e.getKey(), frozen(e.getValue())); // a loop, not a lambda: parsed in every hook phase
        }
        snapshots = Collections.unmodifiableMap(snaps);
        digest = digest == null ? Optional.empty() : digest;
    }

    /** A config without a digest (built by hand, e.g. in tests). */
    public VmConfig(int vmid, String description, Map<String, String> main, Map<String, String> pending,
                    Map<String, Map<String, String>> snapshots) {
        this(vmid, description, main, pending, snapshots, Optional.empty());
    }

    private static Map<String, String> frozen(Map<String, String> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(m)));
    }

    /** A main-section value. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(main.get(key));
    }

    /**
     * Whether {@code agent} enables the guest agent. The value is a PVE property string whose first
     * positional value is {@code enabled} ({@code default_key}): {@code 1}, {@code 1,type=virtio},
     * {@code enabled=1,fstrim_cloned_disks=1}, {@code type=isa,enabled=1} are on; {@code 0},
     * {@code enabled=0}, {@code type=isa} (enabled defaults to 0) and an absent key are off. Booleans
     * accept PVE's spellings {@code 1|on|yes|true} and {@code 0|off|no|false}. Only when enabled does
     * PVE create the {@code <vmid>.qga} socket.
     */
    public boolean agentEnabled() {
        String value = main.get("agent");
        if (value == null) {
            return false;
        }
        Boolean enabled = null;
        for (String part : value.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) {
                enabled = parseBoolean(p);
            } else if (p.substring(0, eq).trim().equals("enabled")) {
                enabled = parseBoolean(p.substring(eq + 1).trim());
            }
        }
        return Boolean.TRUE.equals(enabled);
    }

    /** PVE::JSONSchema boolean spellings; null for anything else. */
    static Boolean parseBoolean(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "1", "on", "yes", "true":
                return Boolean.TRUE;
            case "0", "off", "no", "false":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    /** {@code hookscript}, a volume id such as {@code local:snippets/time-shift-hook}. */
    public Optional<String> hookscript() {
        return get("hookscript");
    }

    /** {@code startdate}: {@code now}, {@code YYYY-MM-DD} or {@code YYYY-MM-DDTHH:MM:SS} (UTC). */
    public Optional<String> startdate() {
        return get("startdate");
    }

    /** {@code lock}: e.g. {@code backup}, {@code migrate}, {@code snapshot}, {@code suspended}. */
    public Optional<String> lock() {
        return get("lock");
    }

    /** {@code args}: extra QEMU arguments (root only), appended last to the command line. */
    public Optional<String> args() {
        return get("args");
    }

    public Optional<String> name() {
        return get("name");
    }

    /** {@code vmstate}: the saved RAM state of a hibernated VM. */
    public Optional<String> vmstate() {
        return get("vmstate");
    }

    /** {@code template: 1}. */
    public boolean template() {
        String t = main.get("template");
        return t != null && Boolean.TRUE.equals(parseBoolean(t));
    }

    /** {@code tags}, split on {@code ;}, {@code ,} or spaces (PVE writes {@code ;}); empty if none. */
    public List<String> tags() {
        List<String> tags = new ArrayList<>();
        for (String t : get("tags").orElse("").split("[;, ]+")) {
            if (!t.isEmpty()) {
                tags.add(t);
            }
        }
        return Collections.unmodifiableList(tags);
    }
}

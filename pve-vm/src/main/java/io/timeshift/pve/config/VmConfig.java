package io.timeshift.pve.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed {@code /etc/pve/qemu-server/<vmid>.conf}, sections kept apart as Proxmox keeps them
 * ({@code parse_vm_config} in qemu-server's {@code QemuServer.pm}; the rules are in
 * docs/pve-config-format.md).
 *
 * <ul>
 *   <li>{@code description}: the main section's Notes ({@code #} lines, percent-decoded like
 *       {@code PVE::Tools::decode_text}), trailing white space removed; {@code ""} when there is none.
 *       It is not a key of {@code main}.</li>
 *   <li>{@code main}: the applied config (what a start without pending changes uses).</li>
 *   <li>{@code pending}: the {@code [PENDING]} section (values for the next cold start, and
 *       {@code delete: key,key}); empty if none. Its Notes, if any, are under {@code "description"}.</li>
 *   <li>{@code snapshots}: snapshot name → its own map ({@code parent}, {@code snaptime},
 *       {@code vmstate}, {@code startdate}, ...; its Notes under {@code "description"}).</li>
 *   <li>{@code specials}: {@code [special:<name>]} sections by name as written ({@code cloudinit}'s
 *       last-applied values, {@code fleecing}'s images).</li>
 *   <li>{@code digest}: SHA-1 hex of the file's bytes, the {@code digest} that PVE's config API
 *       returns and checks ({@code Digest::SHA::sha1_hex($raw)}); empty for hand-built instances.</li>
 *   <li>{@code warnings}: what Proxmox warns about and skips while reading the file, one line each,
 *       {@code <file>:<line>: <what>} (control characters escaped, long text cut).</li>
 * </ul>
 * Values of the keys this tool uses are checked and normalised as Proxmox does when it reads the file
 * (booleans are {@code 1}/{@code 0}, quotes stripped from {@code startdate}, {@code lock}, ...); values
 * are the file's bytes read as UTF-8. All maps keep file order and are unmodifiable. The accessors
 * below read the main section only.
 */
public record VmConfig(int vmid, String description, Map<String, String> main, Map<String, String> pending,
                       Map<String, Map<String, String>> snapshots, Map<String, Map<String, String>> specials,
                       Optional<String> digest, List<String> warnings) {

    public VmConfig {
        description = description == null ? "" : description;
        main = frozen(main);
        pending = frozen(pending);
        snapshots = frozenSections(snapshots);
        specials = frozenSections(specials == null ? Map.of() : specials);
        digest = digest == null ? Optional.empty() : digest;
        warnings = warnings == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(warnings));
    }

    /** A config without a digest, special sections or warnings (built by hand, e.g. in tests). */
    public VmConfig(int vmid, String description, Map<String, String> main, Map<String, String> pending,
                    Map<String, Map<String, String>> snapshots) {
        this(vmid, description, main, pending, snapshots, Map.of(), Optional.empty(), List.of());
    }

    private static Map<String, String> frozen(Map<String, String> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(m)));
    }

    private static Map<String, Map<String, String>> frozenSections(Map<String, Map<String, String>> sections) {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, String>> e : Objects.requireNonNull(sections, "sections").entrySet()) {
            copy.put(e.getKey(), frozen(e.getValue())); // a loop, not a lambda: parsed in every hook phase
        }
        return Collections.unmodifiableMap(copy);
    }

    /** A main-section value. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(main.get(key));
    }

    /**
     * Whether {@code agent} enables the guest agent, read as qemu-server's {@code parse_guest_agent}
     * does: a property string of {@code agent_fmt} whose first bare value is {@code enabled}
     * ({@code default_key}); {@code 1}, {@code 1,type=virtio}, {@code enabled=1,fstrim_cloned_disks=1}
     * are on; {@code 0}, {@code enabled=0}, an absent key and any invalid value ({@code type=isa}
     * without {@code enabled}, an unknown or repeated sub-key, a bad boolean) are off, as in Proxmox.
     * Booleans accept {@code 1|on|yes|true} and {@code 0|off|no|false} (ASCII, any case). Only when
     * enabled does Proxmox create the {@code <vmid>.qga} socket.
     */
    public boolean agentEnabled() {
        return AgentFormat.enabled(main.get("agent"));
    }

    /** PVE::JSONSchema boolean spellings (ASCII letters of any case); null for anything else. */
    static Boolean parseBoolean(String s) {
        String b = AgentFormat.parseBoolean(s);
        return b == null ? null : b.equals("1");
    }

    /** {@code hookscript}, a volume id such as {@code local:snippets/time-shift-hook}. */
    public Optional<String> hookscript() {
        return get("hookscript");
    }

    /**
     * {@code startdate}: {@code now}, {@code YYYY-MM-DD} or {@code YYYY-MM-DDTHH:MM:SS}, the RTC's wall time:
     * read as UTC by most guests, as local time by Windows and {@code localtime: 1} guests (docs/pve-rtc.md).
     */
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

    /**
     * {@code tags}, split as pve-common's {@code split_list} does: on {@code ,}, {@code ;} and white
     * space (PVE writes {@code ;}), or only on NUL when there is one; empty items left out. U+FFFD also
     * separates: in a value the reader accepted it can only stand for a lone byte 0x85 or 0xA0, which
     * {@code split_list} treats as white space.
     */
    public List<String> tags() {
        String v = main.get("tags");
        if (v == null) {
            return List.of();
        }
        List<String> tags = new ArrayList<>();
        for (String t : VmConfigParser.splitList(v.replace('\uFFFD', ' '))) {
            if (!t.isEmpty()) {
                tags.add(t);
            }
        }
        return Collections.unmodifiableList(tags);
    }
}

package io.timeshift.pve.config;

import io.timeshift.common.error.EnvironmentException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads Proxmox VM config files ({@code /etc/pve/qemu-server/<vmid>.conf}) as qemu-server's
 * {@code parse_vm_config} does in its non-strict mode (the one {@code load_config} uses, so the one a VM
 * start uses): what Proxmox only warns about is skipped here with a warning in
 * {@link VmConfig#warnings()}, and no file content ever makes it throw. Every rule, with the upstream
 * file and line it follows, is in docs/pve-config-format.md.
 *
 * <p>In short: the file is read as bytes (Perl reads it as a byte string); lines are split on
 * {@code \n}; blank lines are skipped; {@code [PENDING]}, {@code [special:cloudinit]},
 * {@code [special:fleecing]} and {@code [snapshot]} headers start sections, a repeated one replaces
 * the earlier one, any other {@code [...]} header skips its lines; {@code #} lines and
 * {@code description:} make the Notes; {@code snapstate:} is found anywhere in a line; {@code args:}
 * is kept unchecked; {@code delete:} only in [PENDING]; {@code key: value} lines need a key
 * {@code [a-z][a-z_-]*[0-9]*} and at least one character after the colon, and their value passes
 * {@code check_type}: the keys this tool uses are checked and normalised exactly as Proxmox does
 * (booleans to 1/0, quotes stripped from plain strings, {@code agent}, {@code tags}, {@code name},
 * {@code hookscript}, {@code vmstate} validated), other keys are kept as read (we do not carry all of
 * {@code $confdesc}; Proxmox drops those it does not know or whose value fails their format);
 * {@code cdrom} is read as {@code ide2}; a value with a carriage return is dropped.
 *
 * <p>The hook parses the config in every VM phase in a fresh JVM: no java.util.regex, no lambdas and,
 * in {@link #parseWithoutDigest}, no JCA. Stateless and thread-safe.
 */
public final class VmConfigParser {
    /** Characters of a line or value shown in a warning before it is cut. */
    static final int MAX_SHOWN = 80;

    private VmConfigParser() {}

    /**
     * Reads and parses {@code file}, with the digest.
     *
     * @throws EnvironmentException "VM <vmid> does not exist on this node (no <path>)" when the file is
     *                              missing; naming the file for any other read error. File content never
     *                              throws.
     */
    public static VmConfig parse(int vmid, Path file) {
        byte[] bytes = read(vmid, file);
        return parse(vmid, bytes, file.toString(), sha1Hex(bytes));
    }

    /**
     * Like {@link #parse(int, Path)} without the digest: the hook reads the config on every VM phase
     * and never writes it, and SHA-1 through the JCA provider framework costs a fresh JVM ~15 ms.
     */
    public static VmConfig parseWithoutDigest(int vmid, Path file) {
        byte[] bytes = read(vmid, file);
        return parse(vmid, bytes, file.toString(), null);
    }

    private static byte[] read(int vmid, Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new EnvironmentException("VM " + vmid + " does not exist on this node (no " + file + ")", e);
        } catch (AccessDeniedException e) {
            throw new EnvironmentException("cannot read " + file + ": permission denied (run as root)", e);
        } catch (IOException e) {
            throw new EnvironmentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return bytes;
    }

    /** Parses config text (its UTF-8 bytes); {@code sourceName} names it in warnings. */
    public static VmConfig parse(int vmid, String text, String sourceName) {
        return parse(vmid, text.getBytes(StandardCharsets.UTF_8), sourceName);
    }

    /** Parses the raw bytes of a config; {@code sourceName} names it in warnings. */
    public static VmConfig parse(int vmid, byte[] raw, String sourceName) {
        return parse(vmid, raw, sourceName, sha1Hex(raw));
    }

    private enum Kind { MAIN, PENDING, SPECIAL, SNAPSHOT }

    /** Which schema {@code check_type} gets: $confdesc or the fleecing section's; cloudinit's values are not checked. */
    private enum Schema { CONFDESC, FLEECING, CLOUDINIT_UNCHECKED }

    private static VmConfig parse(int vmid, byte[] raw, String source, String digest) {
        // ISO-8859-1 maps each byte to one char: the parse sees the bytes as Perl does (a byte string)
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        Map<String, String> main = new LinkedHashMap<>();
        Map<String, String> pending = null;
        Map<String, Map<String, String>> snapshots = new LinkedHashMap<>();
        Map<String, Map<String, String>> specials = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();

        Kind kind = Kind.MAIN; // null: inside an unknown section, whose lines are skipped
        Schema schema = Schema.CONFDESC;
        Map<String, String> conf = main; // Perl's $conf: stays the last known section's map in an unknown one
        StringBuilder descr = null;

        int n = text.length();
        int lineNo = 0;
        for (int start = 0; start < n; ) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = n;
            }
            String line = text.substring(start, end);
            start = end + 1;
            lineNo++;
            if (isBlank(line)) {
                continue;
            }
            if (line.charAt(0) == '[') {
                int e = line.length();
                while (e > 0 && isSpace(line.charAt(e - 1))) {
                    e--;
                }
                if (e >= 2 && line.charAt(e - 1) == ']' && line.indexOf(']') == e - 1) {
                    String inner = line.substring(1, e - 1);
                    finish(conf, descr);
                    descr = null;
                    if (AgentFormat.eqIgnoreCase(inner, "pending")) {
                        if (pending != null) {
                            warn(warnings, source, lineNo, "duplicate section: pending (the later one is used)");
                        }
                        pending = new LinkedHashMap<>();
                        conf = pending;
                        kind = Kind.PENDING;
                        schema = Schema.CONFDESC;
                    } else if (specialName(inner) != null) {
                        String name = specialName(inner);
                        if (specials.remove(name) != null) {
                            warn(warnings, source, lineNo, "duplicate special section: " + shown(name) + " (the later one is used)");
                        }
                        conf = new LinkedHashMap<>();
                        specials.put(name, conf);
                        kind = Kind.SPECIAL;
                        schema = name.equals("cloudinit") ? Schema.CLOUDINIT_UNCHECKED : Schema.FLEECING;
                    } else if (isSnapshotName(inner)) {
                        if (snapshots.remove(inner) != null) {
                            warn(warnings, source, lineNo, "duplicate snapshot section: " + inner + " (the later one is used)");
                        }
                        conf = new LinkedHashMap<>();
                        snapshots.put(inner, conf);
                        kind = Kind.SNAPSHOT;
                        schema = Schema.CONFDESC;
                    } else {
                        kind = null;
                        warn(warnings, source, lineNo, "skipping unknown section: '" + shown(inner) + "' and its lines");
                    }
                    continue;
                }
            }
            if (kind == null) {
                continue;
            }
            if (line.charAt(0) == '#') {
                descr = descr == null ? new StringBuilder() : descr;
                descr.append(decodeText(line.substring(1))).append('\n');
                continue;
            }
            String rest = after(line, "description:");
            if (rest != null && !isBlank(rest)) {
                descr = descr == null ? new StringBuilder() : descr;
                descr.append(decodeText(trim(rest)));
                continue;
            }
            String snapstate = snapstate(line);
            if (snapstate != null) {
                conf.put("snapstate", snapstate);
                continue;
            }
            rest = after(line, "args:");
            if (rest != null && !isBlank(rest)) {
                conf.put("args", utf8(trim(rest))); // stored without check_type
                continue;
            }
            rest = after(line, "delete:");
            if (rest != null && !isBlank(rest)) {
                if (kind == Kind.PENDING) {
                    conf.put("delete", utf8(trim(rest)));
                } else {
                    warn(warnings, source, lineNo, "property 'delete' is only allowed in [PENDING] (line skipped)");
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 1 || !isKey(line, colon) || colon == line.length() - 1) {
                warn(warnings, source, lineNo, "unable to parse config: " + shown(line) + " (line skipped)");
                continue;
            }
            String key = line.substring(0, colon);
            rest = line.substring(colon + 1);
            // (.+?)\s*$ after \s*: the trimmed text, or the last blank when there is only blank
            String value = isBlank(rest) ? rest.substring(rest.length() - 1) : trim(rest);
            if (schema == Schema.CLOUDINIT_UNCHECKED) {
                conf.put(key, utf8(value)); // informative only: not checked by Proxmox either
                continue;
            }
            StringBuilder why = new StringBuilder();
            String checked = checkType(schema, key, value, why);
            if (checked == null) {
                warn(warnings, source, lineNo, "unable to parse value of '" + key + "' - " + why + " (line skipped)");
                continue;
            }
            conf.put(key.equals("cdrom") ? "ide2" : key, utf8(checked));
        }
        finish(conf, descr);
        main.remove("snapstate");
        String description = main.remove("description");
        return new VmConfig(vmid, description, main, pending == null ? Map.of() : pending, snapshots, specials,
                Optional.ofNullable(digest), warnings);
    }

    /** {@code $finish_description}: the Notes without trailing white space become the section's description. */
    private static void finish(Map<String, String> conf, StringBuilder descr) {
        if (descr == null) {
            return;
        }
        int end = descr.length();
        while (end > 0 && isUnicodeSpace(descr.charAt(end - 1))) {
            end--;
        }
        conf.put("description", descr.substring(0, end));
    }

    /**
     * {@code cloudinit} or {@code fleecing} after {@code special:} (any case), or null. The names
     * themselves are lower case only: they come from an interpolated {@code qr//}, which keeps its own
     * (case-sensitive) flags inside the outer {@code /i} match, so {@code [special:CloudInit]} is an
     * unknown section.
     */
    private static String specialName(String inner) {
        if (inner.length() < 9 || !AgentFormat.eqIgnoreCase(inner.substring(0, 8), "special:")) {
            return null;
        }
        String name = inner.substring(8);
        return name.equals("cloudinit") || name.equals("fleecing") ? name : null;
    }

    /** {@code [a-z][a-z0-9_\-]+}, ASCII letters of any case. */
    private static boolean isSnapshotName(String s) {
        if (s.length() < 2 || !isAsciiLetter(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isAsciiLetter(c) && !isDigit(c) && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** {@code line[0, colon)} matches {@code [a-z][a-z_\-]*\d*} (lower case only). */
    private static boolean isKey(String line, int colon) {
        char c0 = line.charAt(0);
        if (c0 < 'a' || c0 > 'z') {
            return false;
        }
        int i = 1;
        while (i < colon && ((line.charAt(i) >= 'a' && line.charAt(i) <= 'z') || line.charAt(i) == '_' || line.charAt(i) == '-')) {
            i++;
        }
        while (i < colon && isDigit(line.charAt(i))) {
            i++;
        }
        return i == colon;
    }

    /** The text after {@code prefix} when the line starts with it, else null. */
    private static String after(String line, String prefix) {
        return line.startsWith(prefix) ? line.substring(prefix.length()) : null;
    }

    /** {@code m/snapstate:\s*(prepare|delete)\s*$/}, unanchored: the word, or null. */
    static String snapstate(String line) {
        int e = line.length();
        while (e > 0 && isSpace(line.charAt(e - 1))) {
            e--;
        }
        String word = e >= 7 && line.startsWith("prepare", e - 7) ? "prepare"
                : e >= 6 && line.startsWith("delete", e - 6) ? "delete" : null;
        if (word == null) {
            return null;
        }
        int p = e - word.length();
        while (p > 0 && isSpace(line.charAt(p - 1))) {
            p--;
        }
        return p >= 10 && line.startsWith("snapstate:", p - 10) ? word : null;
    }

    /**
     * qemu-server's {@code check_type} for the keys this tool models (docs/pve-config-format.md, "values"):
     * the value to store, or null with the reason in {@code why}. {@code value} is a byte string.
     */
    private static String checkType(Schema schema, String key, String value, StringBuilder why) {
        if (schema == Schema.FLEECING ? !key.equals("fleecing-images") : notInConfdesc(key)) {
            why.append("unknown setting '").append(key).append('\'');
            return null;
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            why.append("property contains a line feed");
            return null;
        }
        if (schema == Schema.FLEECING) {
            for (String v : splitList(value)) {
                if (!isVolumeId(v)) {
                    why.append("unable to parse volume ID '").append(shown(v)).append('\'');
                    return null;
                }
            }
            return value;
        }
        switch (key) {
            case "template":
            case "tdf":
            case "localtime": {
                String b = value.equals("1") || AgentFormat.eqIgnoreCase(value, "on") || AgentFormat.eqIgnoreCase(value, "yes")
                        || AgentFormat.eqIgnoreCase(value, "true") ? "1"
                        : value.equals("0") || AgentFormat.eqIgnoreCase(value, "off") || AgentFormat.eqIgnoreCase(value, "no")
                        || AgentFormat.eqIgnoreCase(value, "false") ? "0" : null;
                if (b == null) {
                    why.append("type check ('boolean') failed - got '").append(shown(value)).append('\'');
                }
                return b;
            }
            case "startdate":
            case "lock":
            case "ostype":
            case "args":
            case "description":
                // string without a format: s/^\"(.*)\"$/$1/ (patterns and enums are not checked here)
                return value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"'
                        ? value.substring(1, value.length() - 1) : value;
            case "name":
                if (!isDnsName(value)) {
                    why.append("value does not look like a valid DNS name");
                    return null;
                }
                return value;
            case "hookscript":
            case "vmstate":
                if (!isVolumeId(value)) {
                    why.append("unable to parse volume ID '").append(shown(value)).append('\'');
                    return null;
                }
                return value;
            case "tags":
                for (String t : splitList(value)) {
                    if (!isTag(t)) {
                        why.append("invalid characters in tag");
                        return null;
                    }
                }
                return value;
            case "agent": {
                String p = AgentFormat.problem(value);
                if (p != null) {
                    why.append(shown(p, 2 * MAX_SHOWN)).append(" (the agent counts as disabled)");
                    return null;
                }
                return value;
            }
            default:
                return value; // not modelled: kept as read (Proxmox may drop it: unknown key or bad format)
        }
    }

    /** Names that match the key pattern but are not in $confdesc (parse_vm_config's own and its result's keys). */
    private static boolean notInConfdesc(String key) {
        switch (key) {
            case "delete":
            case "snapstate":
            case "digest":
            case "pending":
            case "snapshots":
            case "special-sections":
                return true;
            default:
                return false;
        }
    }

    /** {@code pve_verify_dns_name}: labels of [a-zA-Z0-9], inner '-' allowed, joined by '.'. */
    static boolean isDnsName(String s) {
        int labelStart = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == '.') {
                if (i == labelStart || !isAlnum(s.charAt(labelStart)) || !isAlnum(s.charAt(i - 1))) {
                    return false;
                }
                labelStart = i + 1;
            } else if (!isAlnum(s.charAt(i)) && s.charAt(i) != '-') {
                return false;
            }
        }
        return true;
    }

    /** pve-storage {@code parse_volume_id}: {@code ^([a-z][a-z0-9\-\_\.]*[a-z0-9]):(.+)$}, case-insensitive. */
    static boolean isVolumeId(String s) {
        int colon = s.indexOf(':');
        if (colon < 2 || colon == s.length() - 1 || !isAsciiLetter(s.charAt(0)) || !isAlnum(s.charAt(colon - 1))) {
            return false;
        }
        for (int i = 1; i < colon - 1; i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && c != '-' && c != '_' && c != '.') {
                return false;
            }
        }
        return s.indexOf('\n', colon) < 0;
    }

    /** pve-common {@code pve_verify_tag}: {@code ^[a-z0-9_][a-z0-9_\-\+\.]*$}, case-insensitive. */
    static boolean isTag(String s) {
        if (s.isEmpty() || !(isAlnum(s.charAt(0)) || s.charAt(0) == '_')) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && c != '_' && c != '-' && c != '+' && c != '.') {
                return false;
            }
        }
        return true;
    }

    /**
     * pve-common {@code split_list} ({@code ParseUtils.pm}, {@code use v5.36}, so Unicode rules: white
     * space includes U+0085 and U+00A0): with a NUL, split on NUL (Perl {@code split}: inner and leading
     * empty fields kept, trailing ones dropped); else {@code ,} and {@code ;} are blanks and the non-blank
     * runs are the items.
     */
    static List<String> splitList(String s) {
        List<String> out = new ArrayList<>();
        if (s.indexOf('\0') >= 0) {
            int start = 0;
            while (true) {
                int z = s.indexOf('\0', start);
                out.add(s.substring(start, z < 0 ? s.length() : z));
                if (z < 0) {
                    break;
                }
                start = z + 1;
            }
            int last = out.size();
            while (last > 0 && out.get(last - 1).isEmpty()) {
                last--;
            }
            return new ArrayList<>(out.subList(0, last));
        }
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && isListSeparator(s.charAt(i))) {
                i++;
            }
            int from = i;
            while (i < n && !isListSeparator(s.charAt(i))) {
                i++;
            }
            if (i > from) {
                out.add(s.substring(from, i));
            }
        }
        return out;
    }

    static boolean isListSeparator(char c) {
        return c == ',' || c == ';' || isSpace(c) || c == 0x85 || c == 0xA0;
    }

    /**
     * {@code PVE::Tools::decode_text}: {@code Encode::decode("utf8", uri_unescape($data))}. Only
     * {@code %} followed by two hex digits is decoded ({@code +} stays a plus); the bytes are then
     * read as UTF-8, malformed sequences becoming U+FFFD. {@code data} is a byte string (chars 0-255).
     */
    static String decodeText(String data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length());
        int n = data.length();
        for (int i = 0; i < n; i++) {
            char c = data.charAt(i);
            if (c == '%' && i + 2 < n && hex(data.charAt(i + 1)) >= 0 && hex(data.charAt(i + 2)) >= 0) {
                out.write(hex(data.charAt(i + 1)) << 4 | hex(data.charAt(i + 2)));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    /** A byte string (chars 0-255) read as UTF-8, malformed sequences as U+FFFD. */
    static String utf8(String bytes) {
        for (int i = 0; i < bytes.length(); i++) {
            if (bytes.charAt(i) >= 0x80) {
                return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
        }
        return bytes;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlnum(char c) {
        return isAsciiLetter(c) || isDigit(c);
    }

    /** Perl's {@code \s} on a byte string (QemuServer.pm has no unicode_strings): space, \t, \n, \x0B, \f, \r. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    /** Perl's {@code \s} on a decoded string (Unicode White_Space). */
    static boolean isUnicodeSpace(char c) {
        return isSpace(c) || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A)
                || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    static boolean isBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isSpace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static void warn(List<String> warnings, String source, int line, String message) {
        warnings.add(source + ":" + line + ": " + message);
    }

    /**
     * A byte string for a warning: read as UTF-8, cut after {@link #MAX_SHOWN} characters, control
     * characters (C0, DEL, C1, U+2028/U+2029) and backslashes escaped, so a warning is one safe line.
     */
    static String shown(String bytes) {
        return shown(bytes, MAX_SHOWN);
    }

    private static String shown(String bytes, int max) {
        String s = utf8(bytes);
        boolean cut = s.length() > max;
        if (cut) {
            s = s.substring(0, max);
        }
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                b.append("\\\\");
            } else if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
                b.append(c == '\t' ? "\\t" : c == '\r' ? "\\r" : c == '\n' ? "\\n" : "\\x" + HEX.charAt(c >> 4) + HEX.charAt(c & 15));
            } else if (c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
                b.append("\\u").append(HEX.charAt(c >> 12)).append(HEX.charAt((c >> 8) & 15))
                        .append(HEX.charAt((c >> 4) & 15)).append(HEX.charAt(c & 15));
            } else {
                b.append(c);
            }
        }
        return cut ? b.append("...").toString() : b.toString();
    }

    private static final String HEX = "0123456789abcdef";

    static String sha1Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}

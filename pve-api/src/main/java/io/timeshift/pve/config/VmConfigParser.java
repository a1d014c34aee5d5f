package io.timeshift.pve.config;

import io.timeshift.pve.error.EnvironmentException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads Proxmox VM config files ({@code /etc/pve/qemu-server/<vmid>.conf}) the way qemu-server's
 * {@code parse_vm_config} does, but strictly: a line PVE would only warn about is an error here, so
 * that this tool never acts on a config it half understood.
 *
 * <p>Format (qemu-server {@code QemuServer.pm} {@code parse_vm_config} / {@code write_vm_config}):
 * <ul>
 *   <li>lines are split on {@code \n}; lines of only whitespace are skipped;</li>
 *   <li>{@code #text} is a line of the current section's description (Notes), stored by PVE's
 *       {@code encode_text} (control, non-ASCII and {@code :} as {@code %XX}) and decoded here as
 *       {@code PVE::Tools::decode_text}: {@code %XX} → byte, then UTF-8. Lines join with {@code \n};
 *       trailing whitespace is removed. A {@code description: text} line appends to it too;</li>
 *   <li>{@code key: value}, key {@code [a-z][a-z0-9_-]*}, value trimmed and non-empty;</li>
 *   <li>{@code [PENDING]} (any case) starts the pending section, {@code [special:name]} a special
 *       section (cloud-init), {@code [name]} ({@code [a-z][a-z0-9_-]+}, any case) a snapshot.</li>
 * </ul>
 * Stricter than PVE: a duplicate key in a section, or a section header repeated, is an error (PVE
 * silently keeps the last). Like PVE, {@code delete:} outside {@code [PENDING]} is not kept.
 *
 * <p>Stateless and thread-safe.
 */
public final class VmConfigParser {
    // Keys and section headers are matched by hand, not with java.util.regex: the hook parses the
    // config in every VM phase, and a fresh JVM pays for Pattern's lambda-based predicates (the whole
    // LambdaMetafactory bootstrap) on the first compile. The grammar is PVE's parse_vm_config:
    //   key      [a-z][a-z0-9_-]*
    //   headers  \[PENDING\], \[special:[a-z][a-z0-9_-]*\], \[[a-z][a-z0-9_-]+\]  (case-insensitive,
    //            trailing blanks allowed)
    private static final int MAX_SHOWN = 60;

    private VmConfigParser() {}

    /**
     * Reads and parses {@code file}.
     *
     * @throws EnvironmentException "VM <vmid> does not exist on this node (no <path>)" when the file is
     *                              missing; naming the file for any other read error
     * @throws ConfigParseException for a line it cannot accept
     */
    public static VmConfig parse(int vmid, Path file) {
        byte[] bytes = read(vmid, file);
        return parse(vmid, new String(bytes, StandardCharsets.UTF_8), file.toString(), sha1Hex(bytes));
    }

    /**
     * Like {@link #parse(int, Path)} without the digest: the hook reads the config on every VM phase
     * and never writes it, and SHA-1 through the JCA provider framework costs a fresh JVM ~15 ms.
     */
    public static VmConfig parseWithoutDigest(int vmid, Path file) {
        byte[] bytes = read(vmid, file);
        return parse(vmid, new String(bytes, StandardCharsets.UTF_8), file.toString(), null);
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

    /**
     * Parses config text; {@code sourceName} names it in error messages. The digest is the SHA-1 of
     * the text's UTF-8 bytes (the file's bytes, for a file that was valid UTF-8).
     */
    public static VmConfig parse(int vmid, String text, String sourceName) {
        return parse(vmid, text, sourceName, sha1Hex(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static VmConfig parse(int vmid, String text, String source, String digest) {
        Map<String, String> main = new LinkedHashMap<>();
        Map<String, String> pending = new LinkedHashMap<>();
        Map<String, Map<String, String>> snapshots = new LinkedHashMap<>();
        Set<String> sectionsSeen = new HashSet<>();

        Section section = new Section("the main section", main, Kind.MAIN);
        String mainDescription = null;

        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int lineNo = i + 1;
            if (isBlank(line)) {
                continue;
            }
            if (line.charAt(0) == '[') {
                Section next = header(line, source, lineNo, pending, snapshots, sectionsSeen);
                String d = section.finishDescription();
                if (section.kind == Kind.MAIN) {
                    mainDescription = d;
                }
                section = next;
                continue;
            }
            if (line.charAt(0) == '#') {
                section.appendDescription(decodeText(line.substring(1)) + "\n");
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new ConfigParseException(source, lineNo, "not a \"key: value\" line: " + shown(line));
            }
            String key = line.substring(0, colon);
            if (!isName(key, false, 1)) {
                throw new ConfigParseException(source, lineNo, "bad key " + shown(key));
            }
            String value = trim(line.substring(colon + 1));
            if (value.isEmpty()) {
                throw new ConfigParseException(source, lineNo, "no value for key '" + key + "'");
            }
            if (key.equals("description")) {
                section.appendDescription(decodeText(value));
                continue;
            }
            if (key.equals("delete") && section.kind != Kind.PENDING) {
                continue; // PVE: "property 'delete' is only allowed in [PENDING]" (warned, dropped)
            }
            if (section.values.containsKey(key)) {
                throw new ConfigParseException(source, lineNo, "duplicate key '" + key + "' in " + section.name);
            }
            section.values.put(key, value);
        }
        String d = section.finishDescription();
        if (section.kind == Kind.MAIN) {
            mainDescription = d;
        }
        return new VmConfig(vmid, mainDescription, main, pending, snapshots, Optional.ofNullable(digest));
    }

    private enum Kind { MAIN, PENDING, SPECIAL, SNAPSHOT }

    /** The section being filled; its description goes to its map (except main's, returned). */
    private static final class Section {
        final String name;
        final Map<String, String> values;
        final Kind kind;
        private StringBuilder description;

        Section(String name, Map<String, String> values, Kind kind) {
            this.name = name;
            this.values = values;
            this.kind = kind;
        }

        void appendDescription(String s) {
            if (description == null) {
                description = new StringBuilder();
            }
            description.append(s);
        }

        /** PVE's {@code $finish_description}: strip trailing whitespace, store if any was given. */
        String finishDescription() {
            if (description == null) {
                return null;
            }
            int end = description.length();
            while (end > 0 && isPerlSpace(description.charAt(end - 1))) {
                end--;
            }
            String d = description.substring(0, end);
            description = null;
            if (kind == Kind.PENDING || kind == Kind.SNAPSHOT) {
                values.put("description", d);
            }
            return d;
        }
    }

    private static Section header(String line, String source, int lineNo, Map<String, String> pending,
                                  Map<String, Map<String, String>> snapshots, Set<String> seen) {
        String inner = bracketed(line);
        if (inner != null && inner.equalsIgnoreCase("PENDING")) {
            requireFirst(seen, "[PENDING]", source, lineNo);
            return new Section("[PENDING]", pending, Kind.PENDING);
        }
        if (inner != null && inner.regionMatches(true, 0, "special:", 0, 8) && isName(inner.substring(8), true, 1)) {
            String name = "[special:" + inner.substring(8).toLowerCase(java.util.Locale.ROOT) + "]";
            requireFirst(seen, name, source, lineNo);
            return new Section(name, new LinkedHashMap<>(), Kind.SPECIAL);
        }
        if (inner != null && isName(inner, true, 2)) {
            String snap = inner;
            requireFirst(seen, "[" + snap + "]", source, lineNo);
            Map<String, String> values = new LinkedHashMap<>();
            snapshots.put(snap, values);
            return new Section("[" + snap + "]", values, Kind.SNAPSHOT);
        }
        throw new ConfigParseException(source, lineNo, "bad section header " + shown(line)
                + " ([PENDING], [special:<name>] or [<snapshot name>])");
    }

    /** {@code [a-z][a-z0-9_-]*} with at least {@code minLength} characters; letters any case if {@code anyCase}. */
    static boolean isName(String s, boolean anyCase, int minLength) {
        if (s.length() < minLength || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (anyCase && c >= 'A' && c <= 'Z');
            boolean ok = i == 0 ? letter : letter || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The text between a leading '[' and the ']' that is followed only by blanks, or null. */
    static String bracketed(String line) {
        if (line.isEmpty() || line.charAt(0) != '[') {
            return null;
        }
        int end = line.length();
        while (end > 0 && " \t\r\f\u000B".indexOf(line.charAt(end - 1)) >= 0) {
            end--;
        }
        if (end < 2 || line.charAt(end - 1) != ']') {
            return null;
        }
        String inner = line.substring(1, end - 1);
        return inner.indexOf(']') >= 0 || inner.indexOf('[') >= 0 ? null : inner;
    }

    private static void requireFirst(Set<String> seen, String name, String source, int lineNo) {
        if (!seen.add(name)) {
            throw new ConfigParseException(source, lineNo, "section " + name + " appears twice");
        }
    }

    /**
     * {@code PVE::Tools::decode_text}: {@code Encode::decode("utf8", uri_unescape($data))}. Only
     * {@code %} followed by two hex digits is decoded ({@code +} stays a plus); the bytes are then
     * read as UTF-8, malformed sequences becoming U+FFFD.
     */
    static String decodeText(String data) {
        if (data.indexOf('%') < 0) {
            return data;
        }
        byte[] in = data.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
                out.write(hex(in[i + 1]) << 4 | hex(in[i + 2]));
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
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

    /** Perl's {@code \s} on ASCII: space, \t, \n, \r, \f, \x0B. */
    private static boolean isAsciiSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    /** Perl's {@code \s} on a decoded (Unicode) string: ASCII space plus Unicode white space. */
    private static boolean isPerlSpace(char c) {
        return isAsciiSpace(c) || Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    private static boolean isBlank(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (!isAsciiSpace(line.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isAsciiSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isAsciiSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static String shown(String s) {
        String t = s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "...";
        return "'" + t.replace("\r", "\\r").replace("\t", "\\t") + "'";
    }

    static String sha1Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}

package io.timeshift.common.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small JSON subset the guest agent speaks, written by hand so the hook starts fast (no
 * databind, no reflection) and so the bytes sent are exactly stable: compact, keys in insertion
 * order, non-ASCII sent as UTF-8 (QEMU's parser accepts it; UTF-8 never contains the 0xFF
 * sentinel byte).
 *
 * <p>Parsed values: {@code Map<String,Object>} (insertion order), {@code List<Object>},
 * {@link String}, {@link Long} (or {@link BigInteger} beyond 64 bits), {@link Double} for
 * fractions/exponents, {@link Boolean}, and {@link #NULL} for JSON {@code null} (so that "key
 * present with null" differs from "key missing").
 */
public final class LightJson {
    /** JSON {@code null} inside parsed values. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private LightJson() {}

    // ------------------------------------------------------------------ writing

    public static void write(StringBuilder out, Object value) {
        if (value == null || value == NULL) {
            out.append("null");
        } else if (value instanceof CharSequence s) {
            writeString(out, s);
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof BigDecimal d) {
            out.append(d.toString());
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                out.append("null"); // JSON has no such number; the reader never produces one
            } else {
                out.append(value);
            }
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeString(out, String.valueOf(e.getKey()));
                out.append(':');
                write(out, e.getValue());
            }
            out.append('}');
        } else if (value instanceof Iterable<?> list) {
            out.append('[');
            boolean first = true;
            for (Object o : list) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                write(out, o);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getName() + " as JSON");
        }
    }

    /**
     * A JSON string per RFC 8259: {@code "} and {@code \\} escaped, every control character (NUL
     * included) as {@code \\n}-style or {@code \\u00XX}, and a lone surrogate as {@code \\uDXXX}
     * (valid JSON text; it reads back as the same lone char). Never throws. The guest agent path refuses
     * NUL before it gets here ({@link #containsNul}): QEMU's parser rejects {@code \\u0000}.
     */
    public static void writeString(StringBuilder out, CharSequence s) {
        out.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        hexEscape(out, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        hexEscape(out, c); // lone: UTF-8 cannot carry it, the escape can
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void hexEscape(StringBuilder out, char c) {
        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                .append(HEX[c & 0xf]);
    }

    /** True when a string (or key) anywhere in {@code value} contains a NUL character. */
    public static boolean containsNul(Object value) {
        if (value instanceof CharSequence s) {
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) == 0) {
                    return true;
                }
            }
            return false;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (containsNul(String.valueOf(e.getKey())) || containsNul(e.getValue())) {
                    return true;
                }
            }
            return false;
        }
        if (value instanceof Iterable<?> list) {
            for (Object o : list) {
                if (containsNul(o)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ parsing

    /** A parsed top-level object plus the exact source text of each member's value. */
    public record TopObject(Map<String, Object> values, Map<String, String> rawValues) {}

    /** Parses one JSON object; the whole text must be that object (surrounding whitespace allowed). */
    public static TopObject parseTopObject(String text) {
        Parser p = new Parser(text);
        p.skipWs();
        if (p.peek() != '{') {
            throw new IllegalArgumentException("expected a JSON object at offset " + p.pos);
        }
        p.pos++;
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> raw = new LinkedHashMap<>();
        p.skipWs();
        if (p.peek() == '}') {
            p.pos++;
        } else {
            while (true) {
                p.skipWs();
                String key = p.parseString();
                p.skipWs();
                p.expect(':');
                p.skipWs();
                int start = p.pos;
                Object v = p.parseValue(1);
                raw.put(key, text.substring(start, p.pos));
                values.put(key, v);
                p.skipWs();
                char c = p.next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw p.error("expected ',' or '}'");
                }
            }
        }
        p.skipWs();
        if (p.pos != text.length()) {
            throw p.error("trailing characters after the object");
        }
        return new TopObject(Collections.unmodifiableMap(values), Collections.unmodifiableMap(raw));
    }

    /** Parses any JSON value (used by tests and for nested checks); JSON null is {@link #NULL}. */
    public static Object parse(String text) {
        return parseWhole(new Parser(text), text);
    }

    /**
     * Parses any JSON value with plain Java {@code null} for JSON null (for files where "absent" and
     * "null" mean the same, such as policy and state files).
     */
    public static Object parsePlain(String text) {
        return parseWhole(new Parser(text, null), text);
    }

    private static Object parseWhole(Parser p, String text) {
        p.skipWs();
        Object v = p.parseValue(0);
        p.skipWs();
        if (p.pos != text.length()) {
            throw p.error("trailing characters");
        }
        return v;
    }

    /** Compact JSON text of a value built from maps, lists, strings, numbers, booleans and null. */
    public static String compact(Object value) {
        StringBuilder sb = new StringBuilder(128);
        write(sb, value);
        return sb.toString();
    }

    /** Indented JSON (two spaces, {@code "key" : value} as Jackson prints it) for files people read. */
    public static String pretty(Object value) {
        StringBuilder sb = new StringBuilder(256);
        pretty(sb, value, 0);
        return sb.toString();
    }

    private static void pretty(StringBuilder out, Object value, int depth) {
        if (value instanceof Map<?, ?> map && !map.isEmpty()) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(first ? "\n" : ",\n");
                first = false;
                indent(out, depth + 1);
                writeString(out, String.valueOf(e.getKey()));
                out.append(" : ");
                pretty(out, e.getValue(), depth + 1);
            }
            out.append('\n');
            indent(out, depth);
            out.append('}');
        } else if (value instanceof List<?> list && !list.isEmpty()) {
            out.append("[ ");
            boolean first = true;
            for (Object o : list) {
                if (!first) {
                    out.append(", ");
                }
                first = false;
                pretty(out, o, depth + 1);
            }
            out.append(" ]");
        } else if (value instanceof Map<?, ?>) {
            out.append("{ }");
        } else if (value instanceof List<?>) {
            out.append("[ ]");
        } else {
            write(out, value);
        }
    }

    private static void indent(StringBuilder out, int depth) {
        for (int i = 0; i < depth; i++) {
            out.append("  ");
        }
    }

    private static final class Parser {
        private static final int MAX_DEPTH = 512;
        /** A 64-bit integer has 20 characters, a double ~25; anything longer is not a number we use. */
        private static final int MAX_NUMBER_CHARS = 100;
        private final String s;
        private final Object nullValue;
        private int pos;

        Parser(String s) {
            this(s, NULL);
        }

        Parser(String s, Object nullValue) {
            this.s = s;
            this.nullValue = nullValue;
        }

        char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        char next() {
            if (pos >= s.length()) {
                throw error("unexpected end of JSON");
            }
            return s.charAt(pos++);
        }

        void expect(char c) {
            if (next() != c) {
                pos--;
                throw error("expected '" + c + "'");
            }
        }

        void skipWs() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    break;
                }
            }
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + pos);
        }

        Object parseValue(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("JSON nested too deeply");
            }
            char c = peek();
            switch (c) {
                case '{': {
                    pos++;
                    Map<String, Object> map = new LinkedHashMap<>();
                    skipWs();
                    if (peek() == '}') {
                        pos++;
                        return map;
                    }
                    while (true) {
                        skipWs();
                        String key = parseString();
                        skipWs();
                        expect(':');
                        skipWs();
                        map.put(key, parseValue(depth + 1));
                        skipWs();
                        char d = next();
                        if (d == '}') {
                            return map;
                        }
                        if (d != ',') {
                            pos--;
                            throw error("expected ',' or '}'");
                        }
                    }
                }
                case '[': {
                    pos++;
                    List<Object> list = new ArrayList<>();
                    skipWs();
                    if (peek() == ']') {
                        pos++;
                        return list;
                    }
                    while (true) {
                        skipWs();
                        list.add(parseValue(depth + 1));
                        skipWs();
                        char d = next();
                        if (d == ']') {
                            return list;
                        }
                        if (d != ',') {
                            pos--;
                            throw error("expected ',' or ']'");
                        }
                    }
                }
                case '"':
                    return parseString();
                case 't':
                    literal("true");
                    return Boolean.TRUE;
                case 'f':
                    literal("false");
                    return Boolean.FALSE;
                case 'n':
                    literal("null");
                    return nullValue;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return parseNumber();
                    }
                    throw error("unexpected character " + describe(c));
            }
        }

        private static String describe(char c) {
            return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
        }

        void literal(String word) {
            if (!s.startsWith(word, pos)) {
                throw error("expected " + word);
            }
            pos += word.length();
        }

        Object parseNumber() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
            } else if (peek() >= '1' && peek() <= '9') {
                while (peek() >= '0' && peek() <= '9') {
                    pos++;
                }
            } else {
                throw error("bad number");
            }
            boolean integral = true;
            if (peek() == '.') {
                integral = false;
                pos++;
                int digits = pos;
                while (peek() >= '0' && peek() <= '9') {
                    pos++;
                }
                if (pos == digits) {
                    throw error("bad number");
                }
            }
            if (peek() == 'e' || peek() == 'E') {
                integral = false;
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                int digits = pos;
                while (peek() >= '0' && peek() <= '9') {
                    pos++;
                }
                if (pos == digits) {
                    throw error("bad number");
                }
            }
            if (pos - start > MAX_NUMBER_CHARS) {
                throw error("number longer than " + MAX_NUMBER_CHARS + " characters");
            }
            String num = s.substring(start, pos);
            if (!integral) {
                Double d = Double.valueOf(num);
                if (d.isInfinite()) {
                    pos = start;
                    throw error("number out of range");
                }
                return d;
            }
            BigInteger big = new BigInteger(num);
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }

        String parseString() {
            if (peek() != '"') {
                throw error("expected a string");
            }
            pos++;
            StringBuilder sb = null;
            int runStart = pos;
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    String tail = s.substring(runStart, pos);
                    pos++;
                    return sb == null ? tail : sb.append(tail).toString();
                }
                if (c < 0x20) {
                    throw error("control character in string");
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(s, runStart, pos);
                pos++;
                char e = next();
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("bad \\u escape");
                        }
                        int v = 0;
                        for (int k = 0; k < 4; k++) {
                            int h = Character.digit(s.charAt(pos + k), 16);
                            if (h < 0 || s.charAt(pos + k) > 'f') {
                                throw error("bad \\u escape");
                            }
                            v = v << 4 | h;
                        }
                        sb.append((char) v);
                        pos += 4;
                    }
                    default -> {
                        pos--;
                        throw error("bad escape");
                    }
                }
                runStart = pos;
            }
        }
    }
}

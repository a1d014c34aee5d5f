package io.timeshift.pve.json;

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
                throw new IllegalArgumentException("JSON cannot carry " + d);
            }
            out.append(value);
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

    public static void writeString(StringBuilder out, CharSequence s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
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
                    if (c == 0) {
                        // QEMU's JSON parser rejects an escaped NUL ("is not supported"); no guest
                        // path or argument can hold a NUL anyway.
                        throw new IllegalArgumentException("a guest agent string cannot contain a NUL character");
                    }
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
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
            String num = s.substring(start, pos);
            if (!integral) {
                return Double.valueOf(num);
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
                        try {
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
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

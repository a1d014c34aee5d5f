package io.timeshift.pve.api.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;
import io.timeshift.pve.api.error.PveProtocolException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * PVE's wire conventions, in one place. Everything that reads PVE JSON goes through here.
 *
 * <h2>Wire conventions (what PVE actually sends)</h2>
 * <ul>
 *   <li><b>Envelope:</b> {@code {"data": ...}} on success, plus {@code "total"} for some lists (task
 *       log); on errors {@code {"data":null,"message":"...","errors":{field: msg}}} (pve-http-server
 *       {@code Formatter/Standard.pm prepare_response_data}). pvesh prints the bare data, no envelope.</li>
 *   <li><b>Booleans:</b> {@code 0}/{@code 1} numbers, sometimes {@code "0"}/{@code "1"} strings, rarely
 *       JSON {@code true}/{@code false}. {@link #bool} accepts all.</li>
 *   <li><b>Numbers as strings:</b> config values come back as the config file text
 *       ({@code "memory":"4096"}), counters as numbers. {@link #longValue} accepts both.</li>
 *   <li><b>Lists in one string:</b> {@code tags} is {@code "a;b"} (config and /cluster/resources),
 *       storage {@code content} and {@code nodes} are comma lists; PVE splits them with
 *       {@code PVE::Tools::split_list}, i.e. on {@code [;,\s\0]+}. {@link #splitList} does the same.</li>
 *   <li><b>Absent vs null:</b> unset keys are simply missing ({@code lock} only exists while locked).</li>
 * </ul>
 *
 * <p>Parsing uses the tree model with explicit field reads (no per-record reflection); the single
 * {@link ObjectMapper} is configured once and is thread-safe.
 */
public final class PveJson {
    /** The one configured mapper. Thread-safe; never reconfigure it after class init. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private static final ObjectReader TREE = MAPPER.reader();
    private static final Pattern LIST_SEPARATORS = Pattern.compile("[;,\\s\\x00]+");

    private PveJson() {
    }

    /** Parse bytes into a tree. */
    public static JsonNode parse(byte[] json, String operation) {
        try {
            JsonNode node = TREE.readTree(json);
            return node == null ? NullNode.getInstance() : node;
        } catch (IOException e) {
            throw new PveProtocolException(operation, "not JSON: " + snippet(new String(json, java.nio.charset.StandardCharsets.UTF_8)), e);
        }
    }

    /** Parse a string into a tree. */
    public static JsonNode parse(String json, String operation) {
        try {
            JsonNode node = TREE.readTree(json);
            return node == null ? NullNode.getInstance() : node;
        } catch (JsonProcessingException e) {
            throw new PveProtocolException(operation, "not JSON: " + snippet(json), e);
        }
    }

    /** Serialise a value (for request bodies). */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getName(), e);
        }
    }

    /** The {@code data} member of an envelope; JSON null when absent. */
    public static JsonNode data(JsonNode envelope) {
        JsonNode d = envelope == null ? null : envelope.get("data");
        return d == null ? NullNode.getInstance() : d;
    }

    /** The envelope's {@code total}, when present (task log, some lists). */
    public static OptionalLong total(JsonNode envelope) {
        JsonNode t = envelope == null ? null : envelope.get("total");
        if (t == null || t.isNull()) {
            return OptionalLong.empty();
        }
        Long v = toLong(t);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** True when the field is absent or JSON null. */
    public static boolean isAbsent(JsonNode obj, String field) {
        JsonNode v = obj == null ? null : obj.get(field);
        return v == null || v.isNull();
    }

    /** The field as text (numbers and booleans as PVE would print them); null when absent. */
    public static String text(JsonNode obj, String field) {
        JsonNode v = obj == null ? null : obj.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isValueNode()) {
            return v.isBoolean() ? (v.booleanValue() ? "1" : "0") : v.asText();
        }
        return v.toString();
    }

    /** {@link #text} as an Optional, with empty strings treated as absent. */
    public static Optional<String> optText(JsonNode obj, String field) {
        String t = text(obj, field);
        return t == null || t.isEmpty() ? Optional.empty() : Optional.of(t);
    }

    /** The field as a required string. */
    public static String requireText(JsonNode obj, String field, String operation) {
        String t = text(obj, field);
        if (t == null) {
            throw new PveProtocolException(operation, "field '" + field + "' missing in " + snippet(String.valueOf(obj)));
        }
        return t;
    }

    /**
     * PVE boolean: {@code 1}/{@code 0}, {@code "1"}/{@code "0"}, {@code true}/{@code false},
     * {@code "true"}/{@code "false"}, {@code "yes"}/{@code "no"}, {@code "on"}/{@code "off"}
     * (pve-common JSONSchema {@code parse_boolean}). Absent gives {@code dflt}.
     */
    public static boolean bool(JsonNode obj, String field, boolean dflt) {
        JsonNode v = obj == null ? null : obj.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            return v.asLong() != 0;
        }
        Boolean b = parseBoolean(v.asText());
        return b == null ? dflt : b;
    }

    /** Text form of a PVE boolean; null if it is not one. */
    public static Boolean parseBoolean(String s) {
        if (s == null) {
            return null;
        }
        return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true", "yes", "on" -> Boolean.TRUE;
            case "0", "false", "no", "off" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** Integer field that may be a number or a numeric string; {@code dflt} when absent. */
    public static long longValue(JsonNode obj, String field, long dflt, String operation) {
        JsonNode v = obj == null ? null : obj.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        Long l = toLong(v);
        if (l == null) {
            throw new PveProtocolException(operation, "field '" + field + "' is not an integer: " + v);
        }
        return l;
    }

    /** Required integer field (number or numeric string). */
    public static long requireLong(JsonNode obj, String field, String operation) {
        if (isAbsent(obj, field)) {
            throw new PveProtocolException(operation, "field '" + field + "' missing in " + snippet(String.valueOf(obj)));
        }
        return longValue(obj, field, 0, operation);
    }

    private static Long toLong(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? v.longValue() : null;
        }
        if (v.isNumber()) {
            double d = v.doubleValue();
            return d == Math.rint(d) ? (long) d : null;
        }
        if (v.isTextual()) {
            String s = v.textValue().strip();
            if (!s.isEmpty() && s.matches("[+-]?\\d{1,19}")) {
                try {
                    return Long.parseLong(s);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * Split a PVE list string ({@code "a;b"}, {@code "iso,snippets"}) like
     * {@code PVE::Tools::split_list}; null or blank gives an empty list.
     */
    public static List<String> splitList(String s) {
        if (s == null || s.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String part : LIST_SEPARATORS.split(s.strip())) {
            if (!part.isEmpty()) {
                out.add(part);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The object's members as text, in PVE's order (see {@link #text}); empty for non-objects. */
    public static Map<String, String> flatText(JsonNode obj) {
        if (obj == null || !obj.isObject()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String t = text(obj, e.getKey());
            if (t != null) {
                out.put(e.getKey(), t);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Require an array (possibly empty); JSON null counts as empty. */
    public static List<JsonNode> array(JsonNode node, String operation) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new PveProtocolException(operation, "expected a list, got " + snippet(node.toString()));
        }
        List<JsonNode> out = new ArrayList<>(node.size());
        node.forEach(out::add);
        return out;
    }

    /** Require an object. */
    public static JsonNode object(JsonNode node, String operation) {
        if (node == null || !node.isObject()) {
            throw new PveProtocolException(operation, "expected an object, got " + snippet(String.valueOf(node)));
        }
        return node;
    }

    /** At most 120 characters of {@code s}, on one line, for messages. */
    public static String snippet(String s) {
        if (s == null) {
            return "null";
        }
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 120 ? one : one.substring(0, 117) + "...";
    }
}

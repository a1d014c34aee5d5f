package io.timeshift.host.io;

import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.json.LightJson;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The host side's JSON for policy, state, audit and config files: {@link LightJson}, the project's
 * hand-written reader/writer (maps, lists, strings, Long/Double, booleans, null). No Jackson on this
 * path: the hook is a fresh JVM per VM phase, and Jackson's start-up alone costs it tens of ms.
 */
public final class Json {
    private Json() {
    }

    /** Parses a JSON object; a syntax error becomes exit 2 naming the source. */
    public static Map<String, Object> parseObject(String text, String source) {
        Object v;
        try {
            v = LightJson.parsePlain(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(source + ": not valid JSON (" + e.getMessage() + ")");
        }
        if (v instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) m;
            return map;
        }
        throw new InvalidInputException(source + ": expected a JSON object");
    }

    public static byte[] pretty(Object value) {
        return (LightJson.pretty(value) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    public static String compact(Object value) {
        return LightJson.compact(value);
    }
}

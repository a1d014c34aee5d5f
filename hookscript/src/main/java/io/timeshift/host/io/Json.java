package io.timeshift.host.io;

import com.fasterxml.jackson.jr.ob.JSON;
import io.timeshift.pve.error.InvalidInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The host side's JSON: jackson-jr (maps and lists only). It starts in a fraction of the time of
 * jackson-databind's ObjectMapper, which matters because the hook is a fresh JVM per VM phase.
 */
public final class Json {
    // jackson-jr leaves out map entries whose value is null unless told otherwise; the contract's
    // documents carry them ("offset": null, status --json "guestTime": null)
    private static final JSON COMPACT = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);
    private static final JSON PRETTY = COMPACT.with(JSON.Feature.PRETTY_PRINT_OUTPUT);

    private Json() {
    }

    /** Parses a JSON object; a syntax error becomes exit 2 naming the source. */
    public static Map<String, Object> parseObject(String text, String source) {
        try {
            Object v = COMPACT.anyFrom(text);
            if (v instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) m;
                return map;
            }
            throw new InvalidInputException(source + ": expected a JSON object");
        } catch (IOException e) {
            String msg = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new InvalidInputException(source + ": not valid JSON (" + msg + ")");
        }
    }

    public static byte[] pretty(Object value) {
        try {
            return (PRETTY.asString(value) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass(), e);
        }
    }

    public static String compact(Object value) {
        try {
            return COMPACT.asString(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass(), e);
        }
    }
}

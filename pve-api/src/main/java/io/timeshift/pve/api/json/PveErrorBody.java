package io.timeshift.pve.api.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a failed HTTP answer says, extracted from whatever PVE or a proxy in front of it sent.
 *
 * <p>Message precedence: the JSON body's {@code message} (pve-http-server puts the full text there
 * for the json format); for an HTML page (nginx/haproxy error pages in front of pveproxy) its first
 * line of text; else the reason phrase (pve-http-server sets it to the first line of the message;
 * pveproxy's 595/596 proxy errors only have this, e.g. {@code 596 Connection timed out}); else the
 * first line of a plain-text body.
 *
 * @param message the message (may be several lines; callers show the first)
 * @param errors  PVE's per-field {@code errors} map; empty when none
 */
public record PveErrorBody(String message, Map<String, String> errors) {
    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern SCRIPT_STYLE = Pattern.compile("(?is)<(script|style)[^>]*>.*?</\\1>");

    public PveErrorBody {
        errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    /**
     * @param body         raw body bytes (may be empty)
     * @param contentType  Content-Type header value or null
     * @param reasonPhrase HTTP reason phrase or null
     */
    public static PveErrorBody parse(byte[] body, String contentType, String reasonPhrase) {
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        String reason = reasonPhrase == null ? "" : reasonPhrase.strip();
        String trimmed = text.strip();
        if (trimmed.startsWith("{")) {
            try {
                JsonNode root = PveJson.parse(trimmed, "error body");
                String msg = PveJson.text(root, "message");
                Map<String, String> errs = new LinkedHashMap<>();
                JsonNode e = root.get("errors");
                if (e != null && e.isObject()) {
                    for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext();) {
                        Map.Entry<String, JsonNode> f = it.next();
                        errs.put(f.getKey(), f.getValue().isValueNode() ? f.getValue().asText().strip() : f.getValue().toString());
                    }
                }
                String m = msg == null || msg.isBlank() ? reason : msg.strip();
                return new PveErrorBody(m, errs);
            } catch (RuntimeException notJson) {
                // fall through: treat as text
            }
        }
        boolean html = (contentType != null && contentType.toLowerCase(Locale.ROOT).contains("html"))
                || trimmed.regionMatches(true, 0, "<!doctype", 0, 9) || trimmed.regionMatches(true, 0, "<html", 0, 5);
        if (html) {
            String line = firstTextLine(trimmed);
            return new PveErrorBody(line.isEmpty() ? reason : line, Map.of());
        }
        return new PveErrorBody(reason.isEmpty() ? firstLine(trimmed) : reason, Map.of());
    }

    /** First non-blank line of text of an HTML document (tags, scripts and entities stripped). */
    static String firstTextLine(String html) {
        String noScripts = SCRIPT_STYLE.matcher(html).replaceAll("\n");
        String text = TAG.matcher(noScripts).replaceAll("\n")
                .replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
        return firstLine(text);
    }

    private static String firstLine(String text) {
        for (String line : text.split("\\R")) {
            String t = line.strip();
            if (!t.isEmpty()) {
                return t.length() > 200 ? t.substring(0, 197) + "..." : t;
            }
        }
        return "";
    }
}

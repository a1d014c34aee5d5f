package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;

/**
 * {@code GET /version}: {@code {"version":"8.2.4","release":"8.2","repoid":"faa83925c9641325"}}.
 *
 * @param version full version, e.g. {@code 8.2.4}
 * @param release major.minor, e.g. {@code 8.2}
 * @param repoid  git id of the build
 */
public record PveVersion(String version, String release, String repoid) {
    static PveVersion from(JsonNode data, String op) {
        JsonNode o = PveJson.object(data, op);
        return new PveVersion(PveJson.requireText(o, "version", op), PveJson.text(o, "release"), PveJson.text(o, "repoid"));
    }

    /** The major version (8 for 8.2.4); 0 if unparsable. */
    public int major() {
        try {
            return Integer.parseInt(version.split("[.\\-]", 2)[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;

/**
 * One volume from {@code GET /nodes/{node}/storage/{storage}/content}.
 *
 * @param volid   e.g. {@code local:snippets/time-shift-hook}
 * @param content content type, e.g. {@code snippets}
 * @param format  e.g. {@code snippet}, {@code raw}, {@code iso}
 * @param size    bytes
 */
public record StorageContent(String volid, String content, String format, long size) {
    static StorageContent from(JsonNode o, String op) {
        return new StorageContent(PveJson.requireText(o, "volid", op), PveJson.optText(o, "content").orElse(""),
                PveJson.optText(o, "format").orElse(""), PveJson.longValue(o, "size", 0, op));
    }
}

package io.timeshift.guest.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The one configured {@link ObjectMapper} of time-shift-guest. Reports are records whose component
 * names are the contract's field names; instants are already ISO-8601 UTC strings, so no time
 * module is needed. Nulls are written (the contract has nullable fields such as {@code validAt}).
 * Thread-safe once built.
 */
public final class Json {
    private Json() {
    }

    public static ObjectMapper mapper() {
        return new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .setSerializationInclusion(JsonInclude.Include.ALWAYS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }
}

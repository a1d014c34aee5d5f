package io.timeshift.host.io;

import io.timeshift.common.error.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {
    @Test
    void syntaxErrorIsOneLineNamingTheSource() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Json.parseObject("{\"a\":", "/x.json"));

        assertTrue(e.getMessage().startsWith("/x.json: not valid JSON ("), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void compactKeepsKeyOrderAndPrettyEndsWithNewline() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1);
        m.put("a", null);

        assertEquals("{\"z\":1,\"a\":null}", Json.compact(m));
        assertTrue(new String(Json.pretty(m), StandardCharsets.UTF_8).endsWith("}\n"));
    }
}

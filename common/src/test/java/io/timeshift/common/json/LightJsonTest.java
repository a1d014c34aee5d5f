package io.timeshift.common.json;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LightJsonTest {
    private static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        LightJson.write(sb, v);
        return sb.toString();
    }

    @Test
    void writesCompactJsonInInsertionOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1);
        m.put("a", List.of(true, false));
        m.put("n", null);
        m.put("s", "\u0001\"\\/é");

        assertEquals("{\"z\":1,\"a\":[true,false],\"n\":null,\"s\":\"\\u0001\\\"\\\\/é\"}", write(m));
    }

    @Test
    void escapesNulAndLoneSurrogatesAndWritesNonFiniteNumbersAsNull() {
        assertEquals("\"a\\u0000b\\u001b\\u007f\"", write("a\0b\u001b\u007f"));
        assertEquals("\"x\\ud800y\\udc00\"", write("x\ud800y\udc00"));
        assertEquals("\"\ud83d\ude00\"", write("\ud83d\ude00"), "a valid pair stays as it is");
        assertEquals("[null,null]", write(List.of(Double.NaN, Double.POSITIVE_INFINITY)));
        assertThrows(IllegalArgumentException.class, () -> write(new Object()));
    }

    @Test
    void refusesNumbersOutsideWhatADoubleOrOneHundredCharactersHold() {
        assertThrows(IllegalArgumentException.class, () -> LightJson.parse("1e400"));
        assertThrows(IllegalArgumentException.class, () -> LightJson.parse("-1e400"));
        assertThrows(IllegalArgumentException.class, () -> LightJson.parse("1".repeat(101)));
        assertEquals(0.0, LightJson.parse("1e-400"));
    }

    @Test
    void refusesUnicodeEscapesThatAreNotFourHexDigits() {
        assertThrows(IllegalArgumentException.class, () -> LightJson.parse("\"\\u+041\""));
        assertThrows(IllegalArgumentException.class, () -> LightJson.parse("\"\\u-041\""));
        assertThrows(IllegalArgumentException.class, () -> LightJson.parse("\"\\u\uff10041\""));
        assertEquals("A", LightJson.parse("\"\\u0041\""));
    }

    @Test
    void parsesNumbersByKind() {
        assertEquals(-5L, LightJson.parse("-5"));
        assertEquals(new BigInteger("123456789012345678901234567890"), LightJson.parse("123456789012345678901234567890"));
        assertEquals(2.5e3, LightJson.parse("2.5e3"));
        assertSame(LightJson.NULL, LightJson.parse("null"));
    }

    @Test
    void keepsTheRawTextOfTopLevelMembers() {
        LightJson.TopObject top = LightJson.parseTopObject(" {\"return\" : [1, {\"a\": \"b\"}] , \"x\":1}\n");

        assertEquals("[1, {\"a\": \"b\"}]", top.rawValues().get("return"));
        assertEquals(1L, top.values().get("x"));
    }

    @Test
    void rejectsMalformedJson() {
        for (String bad : List.of("{", "{\"a\":}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":\"\\x\"}", "{} x", "[1 2]",
                "{\"a\":\"tab\there\"}")) {
            assertThrows(IllegalArgumentException.class, () -> LightJson.parse(bad), bad);
        }
    }
}

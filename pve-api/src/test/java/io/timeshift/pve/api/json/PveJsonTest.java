package io.timeshift.pve.api.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.error.PveProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PveJsonTest {
    private static JsonNode obj(String json) {
        return PveJson.parse(json, "test");
    }

    @Nested
    class Booleans {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', value = {
            "{\"v\":1}|true", "{\"v\":0}|false", "{\"v\":\"1\"}|true", "{\"v\":\"0\"}|false",
            "{\"v\":true}|true", "{\"v\":false}|false", "{\"v\":\"yes\"}|true", "{\"v\":\"off\"}|false",
            "{\"v\":null}|true", "{}|true"})
        void acceptsEveryFormPveUses(String json, boolean expected) {
            assertEquals(expected, PveJson.bool(obj(json), "v", true));
        }

        @Test
        void garbageFallsBackToTheDefault() {
            assertFalse(PveJson.bool(obj("{\"v\":\"maybe\"}"), "v", false));
        }
    }

    @Nested
    class Numbers {
        @Test
        void readsNumbersAndNumericStrings() {
            JsonNode o = obj("{\"a\":4096,\"b\":\"4096\",\"c\":\" 7 \",\"d\":2.0}");
            assertEquals(4096, PveJson.longValue(o, "a", 0, "t"));
            assertEquals(4096, PveJson.longValue(o, "b", 0, "t"));
            assertEquals(7, PveJson.longValue(o, "c", 0, "t"));
            assertEquals(2, PveJson.longValue(o, "d", 0, "t"));
            assertEquals(-1, PveJson.longValue(o, "missing", -1, "t"));
        }

        @Test
        void aNonNumberIsAProtocolError() {
            PveProtocolException e = assertThrows(PveProtocolException.class,
                    () -> PveJson.longValue(obj("{\"memory\":\"4G\"}"), "memory", 0, "GET /x"));
            assertTrue(e.getMessage().startsWith("GET /x: unexpected answer: field 'memory'"), e.getMessage());
        }

        @Test
        void requireLongNamesTheMissingField() {
            PveProtocolException e = assertThrows(PveProtocolException.class, () -> PveJson.requireLong(obj("{}"), "pid", "POST /x"));
            assertTrue(e.getMessage().contains("'pid' missing"), e.getMessage());
        }
    }

    @Nested
    class Lists {
        @ParameterizedTest(name = "[{0}]")
        @CsvSource(delimiter = '|', value = {
            "bmc;time-shift|bmc,time-shift", "iso,vztmpl,snippets|iso,vztmpl,snippets", "a; b ,c|a,b,c", "' ;a;;'|a"})
        void splitsLikePveToolsSplitList(String in, String expected) {
            assertEquals(List.of(expected.split(",")), PveJson.splitList(in));
        }

        @Test
        void nullAndBlankAreEmpty() {
            assertEquals(List.of(), PveJson.splitList(null));
            assertEquals(List.of(), PveJson.splitList("  "));
        }
    }

    @Nested
    class Envelope {
        @Test
        void unwrapsDataAndTotal() {
            JsonNode root = obj("{\"data\":[{\"n\":1,\"t\":\"x\"}],\"total\":\"12\"}");
            assertEquals(1, PveJson.data(root).size());
            assertEquals(OptionalLong.of(12), PveJson.total(root));
        }

        @Test
        void missingDataIsJsonNull() {
            assertTrue(PveJson.data(obj("{}")).isNull());
            assertEquals(OptionalLong.empty(), PveJson.total(obj("{\"data\":null}")));
        }

        @Test
        void flatTextKeepsPveTextForms() {
            Map<String, String> m = PveJson.flatText(obj("{\"cores\":2,\"memory\":\"4096\",\"onboot\":true,\"x\":null}"));
            assertEquals(Map.of("cores", "2", "memory", "4096", "onboot", "1"), m);
        }

        @Test
        void notJsonIsAProtocolErrorWithASnippet() {
            PveProtocolException e = assertThrows(PveProtocolException.class,
                    () -> PveJson.parse("<html>oops</html>".getBytes(StandardCharsets.UTF_8), "GET /version"));
            assertTrue(e.getMessage().contains("not JSON: <html>oops</html>"), e.getMessage());
        }
    }

    @Nested
    class ErrorBodies {
        private PveErrorBody parse(String body, String ct, String reason) {
            return PveErrorBody.parse(body.getBytes(StandardCharsets.UTF_8), ct, reason);
        }

        @Test
        void jsonMessageAndFieldErrorsWin() {
            PveErrorBody b = parse("{\"data\":null,\"message\":\"Parameter verification failed.\\n\","
                    + "\"errors\":{\"startdate\":\"value does not match the regex pattern\"}}", "application/json;charset=UTF-8",
                    "Parameter verification failed.");
            assertEquals("Parameter verification failed.", b.message());
            assertEquals(Map.of("startdate", "value does not match the regex pattern"), b.errors());
        }

        @Test
        void reasonPhraseWhenThereIsNoBody() {
            assertEquals("Connection timed out", parse("", null, "Connection timed out").message());
        }

        @Test
        void htmlPagesGiveTheirFirstLineOfText() {
            String html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
                    + "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
            assertEquals("502 Bad Gateway", parse(html, "text/html", "Bad Gateway").message());
        }

        @Test
        void htmlWithScriptsSkipsTheScript() {
            String html = "<!DOCTYPE html><html><head><script>var x = '<b>';</script><style>p{}</style></head>"
                    + "<body><p>Service &amp; API unavailable</p></body></html>";
            assertEquals("Service & API unavailable", parse(html, null, null).message());
        }

        @Test
        void brokenJsonFallsBackToText() {
            assertEquals("Internal Server Error", parse("{not json", "application/json", "Internal Server Error").message());
        }
    }
}

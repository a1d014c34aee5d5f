package io.timeshift.pve.api.json;

import io.timeshift.common.error.TimeShiftException;
import io.timeshift.testsupport.HostileText;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Jackson where main code uses it: API replies in, JSON out. Any bytes in are a tree or our typed error; any string out is valid JSON. */
class PveJsonHostileTest {
    @Provide
    Arbitrary<byte[]> replies() {
        return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                HostileText.anyText(200).map(s -> ("{\"data\":\"" + s + "\"}").getBytes(StandardCharsets.UTF_8)),
                HostileText.anyText(200).map(s -> ("{\"data\":" + s + "}").getBytes(StandardCharsets.UTF_8)));
    }

    @Property(tries = 2000)
    void anyReplyIsATreeOrOneTypedOneLineError(@ForAll("replies") byte[] reply) {
        try {
            assertNotNull(PveJson.parse(reply, "GET /cluster/resources"));
        } catch (TimeShiftException e) {
            assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\u0000"), e.getMessage());
            assertTrue(e.getMessage().length() <= 1000);
        } catch (RuntimeException e) {
            fail("not ours: " + e);
        }
    }

    @Property(tries = 2000)
    void theMapperWritesAnyStringAsJsonThatReadsBackEqual(@ForAll("text") String s) throws Exception {
        byte[] json = PveJson.MAPPER.writeValueAsBytes(s);
        String text = new String(json, StandardCharsets.UTF_8);
        assertFalse(text.contains("\n") || text.contains("\u0000") || text.contains("\u001b"), text);
        assertEquals(s, PveJson.MAPPER.readTree(json).textValue());
    }

    @Provide
    Arbitrary<String> text() {
        return HostileText.anyText(200);
    }
}

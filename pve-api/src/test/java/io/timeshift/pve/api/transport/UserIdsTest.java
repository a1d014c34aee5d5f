package io.timeshift.pve.api.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Group;
import net.jqwik.api.Property;

/** The Authorization header value survives pve-http-server's reading: cut at ';', then URI-unescaped. */
class UserIdsTest {
    @Group
    class HeaderEscape {
        @Property
        void whatTheServerReadsBackIsTheUtf8OfTheText(@ForAll String text) {
            String sent = UserIds.headerEscape(text);
            String asRead = sent.indexOf(';') < 0 ? sent : sent.substring(0, sent.indexOf(';'));
            assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), uriUnescape(asRead));
        }

        @Property
        void theHeaderHoldsOnlyPrintableAsciiWithoutSpaceOrSemicolon(@ForAll String text) {
            String sent = UserIds.headerEscape(text);
            assertTrue(sent.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ';'), sent);
        }
    }

    /** URI::Escape's uri_unescape: every %XX (hex, any case) becomes its byte; everything else stays. */
    private static byte[] uriUnescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}

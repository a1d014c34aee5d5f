package io.timeshift.host.env;

import io.timeshift.common.error.InvalidInputException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --target and --remote: the documented forms with a port of 1-65535, anything else exit 2 naming the option. */
class HostPortTest {
    @Nested
    class Targets {
        @ParameterizedTest(name = "{0} -> {1}:{2}")
        @CsvSource({"idrac, idrac, 443", "idrac:8443, idrac, 8443", "10.0.0.5:1, 10.0.0.5, 1",
            "https://ilo.example, ilo.example, 443", "HTTPS://ilo.example:65535/, ilo.example, 65535",
            "https://10.0.0.5:4443/start.html, 10.0.0.5, 4443", "'[fe80::1]:443', fe80::1, 443",
            "'https://[fe80::1%eth0]', fe80::1%eth0, 443"})
        void theDocumentedFormsAreAccepted(String text, String host, int port) {
            assertEquals(new HostPort(host, port), HostPort.target("--target", text));
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"ftp://x", "http://idrac", "x:99999", "x:0", "x:", "x:-1", "x:+1", "x:1e3", "x:٤٤٣",
            "x:000443", "", " ", "a b", "x\t", "fe80::1", "[fe80::1", "[zz]:443", "[]:443", "[fe80::1]x", ":443",
            "user@idrac", "idrac/path", "https://", "https://:443", "https://x?y", "x#y", "ftp:/x", "x\u0000y",
            "\u00a0idrac"})
        void anythingElseIsExit2NamingTheOption(String text) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> HostPort.target("--target", text));

            assertEquals(2, e.exitCode());
            assertTrue(e.getMessage().startsWith("--target: "), e.getMessage());
            assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\u0000"), e.getMessage());
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"x:99999", "x:0", "x:65536"})
        void aPortOutOfRangeIsNamed(String text) {
            assertEquals("--target: '" + text + "': port '" + text.substring(2) + "' is not a number from 1 to 65535",
                    assertThrows(InvalidInputException.class, () -> HostPort.target("--target", text)).getMessage());
        }
    }

    @Nested
    class Remotes {
        @ParameterizedTest(name = "{0} -> {1}:{2}")
        @CsvSource({"https://pve1, pve1, 8006", "https://pve1:8006/, pve1, 8006", "'https://[2001:db8::5]:443', 2001:db8::5, 443"})
        void httpsUrlsAreAccepted(String text, String host, int port) {
            assertEquals(new HostPort(host, port), HostPort.remote("--remote", text));
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"https://pve1:99999", "https://pve1:0", "pve1:8006", "http://pve1:8006",
            "https://pve1:8006/api2/json", "https://root@pve1:8006", "https://pve1:8006?x=1"})
        void anythingElseIsExit2NamingTheOption(String text) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> HostPort.remote("--remote", text));

            assertTrue(e.getMessage().startsWith("--remote: '" + text + "'"), e.getMessage());
        }
    }

    @Nested
    class AnyString {
        @Provide
        Arbitrary<String> texts() {
            Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(60);
            Arbitrary<String> shaped = Arbitraries.strings().withChars("https:/[]:.0123456789abcdef%@?# \t\u0000٣")
                    .ofMaxLength(40);
            return Arbitraries.oneOf(any, shaped);
        }

        @Property(tries = 3000)
        void aTargetIsAcceptedWithAPortInRangeOrRefusedWithExit2(@ForAll("texts") String text) {
            try {
                HostPort p = HostPort.target("--target", text);
                assertTrue(p.port() >= 1 && p.port() <= 65535, p.toString());
                assertFalse(p.host().isEmpty());
            } catch (InvalidInputException e) {
                assertEquals(2, e.exitCode());
                assertTrue(e.getMessage().startsWith("--target: "), e.getMessage());
                assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            }
        }

        @Property(tries = 3000)
        void aRemoteIsAcceptedWithAPortInRangeOrRefusedWithExit2(@ForAll("texts") String text) {
            try {
                HostPort p = HostPort.remote("--remote", text);
                assertTrue(p.port() >= 1 && p.port() <= 65535, p.toString());
                assertTrue(text.regionMatches(true, 0, "https://", 0, 8), text);
            } catch (InvalidInputException e) {
                assertTrue(e.getMessage().startsWith("--remote: "), e.getMessage());
                assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            }
        }

        @Property(tries = 3000)
        void aPortIsOneTo65535InAsciiDigitsOrMinusOne(@ForAll String text) {
            int p = HostPort.port(text);
            boolean plain = text.matches("[0-9]{1,5}") && Integer.parseInt(text) >= 1 && Integer.parseInt(text) <= 65535;
            assertEquals(plain ? Integer.parseInt(text) : -1, p, text);
        }
    }
}

package io.timeshift.guest.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.timeshift.common.error.InvalidInputException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetTest {
    @ParameterizedTest(name = "{0} -> {1}:{2}")
    @CsvSource({
        "idrac.mgmt.example, idrac.mgmt.example, 443",
        "idrac.mgmt.example:8443, idrac.mgmt.example, 8443",
        "https://10.0.0.5, 10.0.0.5, 443",
        "https://10.0.0.5:4443/start.html, 10.0.0.5, 4443",
        "HTTPS://ilo.example/, ilo.example, 443",
        "'[::1]:443', ::1, 443",
        "'https://[fe80::1]', fe80::1, 443"})
    void acceptsTheContractForms(String input, String host, int port) {
        Target t = Target.parse(input);
        assertEquals(host, t.host());
        assertEquals(port, t.port());
        assertEquals(input, t.input());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "http://idrac", "idrac:0", "idrac:70000", "idrac:", "a b", "ftp://x:21"})
    void rejectsOtherFormsNamingTheValidOnes(String input) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Target.parse(input));
        assertEquals(true, e.getMessage().contains("host, host:port or https://host[:port]") || e.getMessage().contains("port must be"),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"idrac/start.html", "idrac:443/x", "[fe80::1]/x", "x\u0001y", "x:99999", "x:0", "ftp://x"})
    void aPathWithoutHttpsOrAControlCharacterOrAPortOutOfRangeIsRefused(String text) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Target.parse(text));

        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @net.jqwik.api.Property(tries = 3000)
    void anyStringIsATargetWithAPortInRangeOrExit2(@net.jqwik.api.ForAll("texts") String text) {
        try {
            Target t = Target.parse(text);
            org.junit.jupiter.api.Assertions.assertTrue(t.port() >= 1 && t.port() <= 65535, t.toString());
            org.junit.jupiter.api.Assertions.assertFalse(t.host().isEmpty());
        } catch (InvalidInputException e) {
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("target '"), e.getMessage());
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> texts() {
        return net.jqwik.api.Arbitraries.oneOf(net.jqwik.api.Arbitraries.strings().all().ofMaxLength(60),
                net.jqwik.api.Arbitraries.strings().withChars("https:/[]:.0123456789abcdef%@?# \t\n\u0000\u0663").ofMaxLength(40));
    }
}

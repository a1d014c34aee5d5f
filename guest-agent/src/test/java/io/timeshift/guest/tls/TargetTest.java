package io.timeshift.guest.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.timeshift.guest.error.InvalidInputException;
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
}

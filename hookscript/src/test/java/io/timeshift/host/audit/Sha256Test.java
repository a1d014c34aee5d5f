package io.timeshift.host.audit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Sha256Test {
    @Test
    void matchesTheJdkForEveryLengthAroundBlockBoundaries() throws Exception {
        Random r = new Random(42);
        for (int len = 0; len < 300; len++) {
            byte[] b = new byte[len];
            r.nextBytes(b);
            String jdk = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
            assertEquals(jdk, Sha256.hex(b), "length " + len);
        }
    }

    @Test
    void knownVector() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Sha256.hex("abc".getBytes(StandardCharsets.UTF_8)));
    }
}

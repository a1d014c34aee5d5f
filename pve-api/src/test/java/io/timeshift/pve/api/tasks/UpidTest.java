package io.timeshift.pve.api.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timeshift.common.error.InvalidInputException;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class UpidTest {
    @Test
    void parsesEveryField() {
        Upid u = Upid.parse("UPID:pve1:000A1B2C:0012D687:6744A1B0:qmstart:105:root@pam:");
        assertEquals("pve1", u.node());
        assertEquals(0x000A1B2C, u.pid());
        assertEquals(0x0012D687, u.pstart());
        assertEquals(Instant.ofEpochSecond(0x6744A1B0L), u.startTime());
        assertEquals("qmstart", u.type());
        assertEquals("105", u.id());
        assertEquals("root@pam", u.user());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "UPID:pve1:000A1B2C:0012D687:6744A1B0:qmstart:105:root@pam:",
        // pstart with 9 hex digits after 497 days of uptime
        "UPID:pve-node-02:00001234:1A0B2C3D4:6744A1B0:qmconfig:105:root@pam:",
        // API token as user
        "UPID:pve1:00001234:0012D687:6744A1B0:qmstart:105:root@pam!ci:",
        // empty id
        "UPID:pve1:00001234:0012D687:6744A1B0:aptupdate::root@pam:",
        "UPID:n:00000001:00000002:00000003:vzdump:100:backup@pve!nightly:"})
    void formatRoundTripsRealUpids(String text) {
        assertEquals(text, Upid.parse(text).format());
        assertTrue(Upid.isUpid(text));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "UPID:pve1:000A1B2C:0012D687:6744A1B0:qmstart:105:root@pam", // no trailing colon
        "UPID:pve1:A1B2C:0012D687:6744A1B0:qmstart:105:root@pam:", // short pid
        "UPID:pve1:000A1B2C:0012D687AB:6744A1B0:qmstart:105:root@pam:", // 10-digit pstart
        "UPID:-pve1:000A1B2C:0012D687:6744A1B0:qmstart:105:root@pam:", // bad node
        "UPID:pve1:000A1B2C:0012D687:6744A1B0:qm/start:105:root@pam:", // slash
        "UPID:pve1:000A1B2C:0012D687:6744A1B0:qmstart:105::", // empty user
        "pve1:000A1B2C:0012D687:6744A1B0:qmstart:105:root@pam:"})
    void rejectsMalformedIdsWithTheExpectedForm(String text) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Upid.parse(text));
        assertTrue(e.getMessage().contains("UPID:<node>:<pid>"), e.getMessage());
        assertFalse(Upid.isUpid(text));
    }

    @Test
    void formatsSmallNumbersWithEightDigitsUpperCase() {
        Upid u = new Upid("pve1", 0xab, 0xcd, 0xef, "qmstart", "105", "root@pam");
        assertEquals("UPID:pve1:000000AB:000000CD:000000EF:qmstart:105:root@pam:", u.toString());
    }
}

package io.timeshift.host.cluster;

import io.timeshift.host.policy.Mode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Notes line is what a workstation knows about a policy; it is free text, so parsing is lenient. */
class NotesLineTest {
    @Test
    void readsTheContractExampleAtTheEndOfOtherNotes() {
        NotesLine n = NotesLine.find("Jump host for the old iDRACs\n"
                + "time-shift: fixed 2021-03-01T12:00:00Z \u00b7 last apply ok 2026-11-25T10:31Z \u00b7 drift 4 ms").orElseThrow();

        assertEquals(Mode.FIXED, n.mode());
        assertEquals(Instant.parse("2021-03-01T12:00:00Z"), n.date());
        assertEquals(Map.of("result", "ok", "finishedAt", "2026-11-25T10:31:00Z", "errorMs", 4.0, "source", "notes"),
                n.lastApply());
    }

    @Test
    void readsAnOffsetInTheContractsDurationForm() {
        NotesLine n = NotesLine.find("time-shift: offset -P1095D").orElseThrow();

        assertEquals(Mode.OFFSET, n.mode());
        assertEquals(Duration.ofDays(-1095), n.offset());
        assertNull(n.lastApply(), "nothing said about an apply yet");
    }

    @Test
    void theLastLineWinsAndUnknownModesAreIgnored() {
        assertEquals(Mode.CONTINUE, NotesLine.find("time-shift: fixed 2021-03-01T12:00:00Z\n"
                + "time-shift: continue 2020-01-01T00:00:00Z").orElseThrow().mode());
        assertTrue(NotesLine.find("time-shift: sometimes tomorrow").isEmpty());
        assertTrue(NotesLine.find("no line here").isEmpty());
        assertTrue(NotesLine.find(null).isEmpty());
    }

    @Test
    void aHandEditedTailDoesNotLoseTheMode() {
        NotesLine n = NotesLine.find("time-shift: fixed 2021-03-01T12:00:00Z \u00b7 last apply ok yesterday \u00b7 drift lots")
                .orElseThrow();

        assertEquals(Mode.FIXED, n.mode());
        assertEquals("ok", n.lastApply().get("result"));
        assertNull(n.lastApply().get("finishedAt"));
        assertNull(n.driftMs());
    }
}

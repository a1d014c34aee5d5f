package io.timeshift.host.time;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local-time startdate for open-ended instants, offsets and zone texts. */
class GuestRtcPropertyTest {
    @Property
    void aGuestReadingTheStartdateInItsZoneBootsAtTheInstant(
            @ForAll @LongRange(min = 86_400, max = 3_155_760_000L) long epochSecond,
            @ForAll @IntRange(min = -64_800, max = 64_800) int offsetSeconds) {
        Instant at = Instant.ofEpochSecond(epochSecond);
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(offsetSeconds);

        String text = GuestRtc.startdate(at, offset);

        assertEquals(at, LocalDateTime.parse(text).toInstant(offset));
    }

    @Property
    void anyZoneTextIsAZoneOrNullNeverAnException(@ForAll @StringLength(max = 100) String text) {
        GuestRtc.parseZone(text);
        String p = GuestRtc.printable(text);
        assertTrue(p.chars().noneMatch(c -> c < 0x20 || c == 0x7f), p);
    }
}

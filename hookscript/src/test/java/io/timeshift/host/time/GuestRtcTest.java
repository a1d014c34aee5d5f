package io.timeshift.host.time;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Proxmox's RTC rules and the startdate of a local-time RTC (docs/pve-rtc.md). */
class GuestRtcTest {
    private static final Instant WINTER = Instant.parse("2021-03-01T12:00:00Z");
    private static final Instant SUMMER = Instant.parse("2021-07-01T12:00:00Z");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Nested
    class WhatProxmoxDecides {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(nullValues = "null", value = {"wxp,5", "w2k,5", "w2k3,5", "w2k8,6", "wvista,6", "win7,7", "win8,8", "win10,10",
                "win11,11", "l26,0", "l24,0", "other,0", "solaris,0", "null,0", "win,0", "winX,0", "win1x,0", "win99999999999,0"})
        void windowsVersionFollowsHelpersPm(String ostype, int version) {
            assertEquals(version, GuestRtc.windowsVersion(ostype));
        }

        @ParameterizedTest(name = "localtime {0}, ostype {1} -> {2}")
        @CsvSource(nullValues = "null", value = {"null,win11,true", "null,wxp,true", "0,win11,false", "off,win7,false",
                "1,l26,true", "yes,null,true", "null,l26,false", "null,null,false", "maybe,win10,true", "maybe,l26,false"})
        void localtimeIsExplicitOrImpliedByAWindowsOstype(String localtime, String ostype, boolean local) {
            assertEquals(local, GuestRtc.localTime(localtime, ostype));
        }

        @Test
        void theNextStartsValuesComeFromPendingFirst() {
            Map<String, String> main = Map.of("ostype", "win10", "localtime", "0");
            assertFalse(GuestRtc.localTime(main, Map.of()));
            assertTrue(GuestRtc.localTime(main, Map.of("localtime", "1")));
            assertTrue(GuestRtc.localTime(main, Map.of("delete", "net1,localtime")), "deleted: the Windows default again");
            assertTrue(GuestRtc.localTime(main, Map.of("delete", "!localtime")));
            assertFalse(GuestRtc.localTime(Map.of("ostype", "win10"), Map.of("ostype", "l26")));
            assertNull(GuestRtc.effective(null, null, "localtime"));
        }

        @ParameterizedTest(name = "tdf {0}, acpi {1}, ostype {2} -> {3}")
        @CsvSource(nullValues = "null", value = {"null,null,win10,true", "null,0,win10,false", "0,null,win10,false",
                "null,null,l26,false", "1,null,l26,true", "null,1,w2k,true"})
        void driftFixFollowsTimerPm(String tdf, String acpi, String ostype, boolean slew) {
            assertEquals(slew, GuestRtc.driftFix(tdf, acpi, ostype));
        }
    }

    @Nested
    class TheOffsetForATargetInstant {
        @Test
        void aRegionZoneGivesItsOffsetAtTheTargetNotToday() {
            assertEquals(ZoneOffset.ofHours(1), GuestRtc.choose(WINTER, "Europe/Berlin", null, ZoneOffset.UTC).offset());
            assertEquals(ZoneOffset.ofHours(2), GuestRtc.choose(SUMMER, "Europe/Berlin", null, ZoneOffset.UTC).offset());
        }

        @Test
        void anAgentReportThatAgreesWithTheZoneKeepsTheZonesDaylightSavingRules() {
            GuestRtc.Learned summerReport = new GuestRtc.Learned(7200, "CEST", SUMMER);

            GuestRtc.Choice c = GuestRtc.choose(WINTER, "Europe/Berlin", summerReport, ZoneOffset.UTC);

            assertEquals(ZoneOffset.ofHours(1), c.offset());
            assertEquals("zone Europe/Berlin", c.source());
        }

        @Test
        void anAgentReportThatDisagreesWithTheZoneWins() {
            GuestRtc.Learned karachi = new GuestRtc.Learned(18000, "PKT", SUMMER);

            GuestRtc.Choice c = GuestRtc.choose(WINTER, "Europe/Berlin", karachi, ZoneOffset.UTC);

            assertEquals(ZoneOffset.ofHours(5), c.offset());
            assertEquals("the guest agent's offset +05:00 (PKT)", c.source());
        }

        @Test
        void anAgentReportBeatsAFixedPolicyOffset() {
            assertEquals(ZoneOffset.ofHours(-3), GuestRtc.choose(WINTER, "+05:00", new GuestRtc.Learned(-10800, null, SUMMER),
                    ZoneOffset.UTC).offset());
        }

        @Test
        void aFixedPolicyOffsetIsUsedWhenNothingWasLearned() {
            assertEquals(ZoneOffset.ofHours(5), GuestRtc.choose(SUMMER, "+05:00", null, BERLIN).offset());
        }

        @Test
        void withNothingKnownTheHostZoneAtTheTargetIsUsed() {
            GuestRtc.Choice c = GuestRtc.choose(SUMMER, null, null, BERLIN);

            assertEquals(ZoneOffset.ofHours(2), c.offset());
            assertEquals("the host's zone Europe/Berlin", c.source());
        }

        @Test
        void anInvalidPolicyZoneIsNotUsed() {
            assertEquals(ZoneOffset.UTC, GuestRtc.choose(SUMMER, "Mars/Olympus", null, ZoneOffset.UTC).offset());
        }

        @Test
        void theHostZoneComesFromTzWhenItNamesOne() {
            assertEquals(ZoneId.of("Asia/Karachi"), GuestRtc.hostZone(Map.of("TZ", ":Asia/Karachi")));
            assertEquals(ZoneId.systemDefault(), GuestRtc.hostZone(Map.of("TZ", "no such zone")));
        }
    }

    @Nested
    class Startdate {
        @Test
        void aUtcRtcGetsTheInstantInUtc() {
            assertEquals("2021-03-01T12:00:00", GuestRtc.startdateFor(WINTER, false, "Asia/Karachi", null, BERLIN));
        }

        @Test
        void aLocalRtcGetsTheWallTimeInTheGuestsZone() {
            assertEquals("2021-03-01T17:00:00", GuestRtc.startdateFor(WINTER, true, "Asia/Karachi", null, BERLIN));
            assertEquals("2021-03-01T07:00:00", GuestRtc.startdateFor(WINTER, true, "America/New_York", null, BERLIN));
        }

        @Test
        void theWallTimeMayFallOnTheDayBefore() {
            assertEquals("2021-02-28T23:30:00", GuestRtc.startdate(Instant.parse("2021-03-01T03:30:00Z"), ZoneOffset.ofHours(-4)));
        }
    }

    @Nested
    class Zones {
        @ParameterizedTest
        @CsvSource({"Asia/Karachi,Asia/Karachi", "+05:00,+05:00", "UTC,UTC", "-03:30,-03:30"})
        void ianaIdsAndOffsetsParse(String text, String id) {
            assertEquals(id, GuestRtc.parseZone(text).getId());
        }

        @ParameterizedTest
        @CsvSource(nullValues = "null", value = {"Mars/Olympus", "+25:00", "''", "null", "'Asia/Karachi '", "../../etc/passwd"})
        void anythingElseIsNull(String text) {
            assertNull(GuestRtc.parseZone(text));
        }

        @Test
        void printableEscapesControlCharactersAndCuts() {
            assertEquals("a\\x00b\\x1b", GuestRtc.printable("a\u0000b\u001b"));
            assertEquals("x".repeat(80) + "...", GuestRtc.printable("x".repeat(200)));
        }
    }
}

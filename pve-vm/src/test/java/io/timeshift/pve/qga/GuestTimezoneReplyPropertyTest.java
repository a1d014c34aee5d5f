package io.timeshift.pve.qga;

import io.timeshift.testsupport.FakeMonotonic;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** guest-get-timezone against open-ended replies: every reply is a GuestTimezone or an AgentProtocolException. */
class GuestTimezoneReplyPropertyTest {
    private static QgaClient client(ScriptedConnector agent, FakeMonotonic clock) {
        return new QgaClient(105, agent, clock, agent.ids(), QgaClient.DEFAULT_TIMEOUT, clock::advance);
    }

    @Property
    void anyIntegerOffsetIsAcceptedExactlyWhenZoneOffsetCouldHoldIt(@ForAll long offset) {
        FakeMonotonic clock = new FakeMonotonic();
        ScriptedConnector agent = new ScriptedConnector(clock, 1);
        agent.answer("{\"return\": {\"zone\": \"X\", \"offset\": " + offset + "}}");
        QgaClient c = client(agent, clock);
        if (offset >= -18 * 3600 && offset <= 18 * 3600) {
            GuestTimezone tz = c.timezone();
            assertEquals(offset, tz.offsetSeconds());
            assertEquals(offset, ZoneOffset.ofTotalSeconds(tz.offsetSeconds()).getTotalSeconds());
        } else {
            assertThrows(AgentProtocolException.class, c::timezone);
        }
    }

    @Property
    void anyZoneTextIsKeptOrRefusedButNeverPassesControlCharacters(@ForAll @StringLength(max = 300) String zone) {
        FakeMonotonic clock = new FakeMonotonic();
        ScriptedConnector agent = new ScriptedConnector(clock, 1);
        StringBuilder json = new StringBuilder("{\"return\": {\"offset\": 0, \"zone\": \"");
        for (int i = 0; i < zone.length(); i++) {
            json.append(String.format("\\u%04x", (int) zone.charAt(i)));
        }
        agent.answer(json.append("\"}}").toString());
        QgaClient c = client(agent, clock);
        boolean clean = zone.length() <= 256 && zone.chars().noneMatch(ch -> ch < 0x20 || ch == 0x7f);
        if (clean) {
            assertEquals(zone, c.timezone().zone());
        } else {
            AgentProtocolException e = assertThrows(AgentProtocolException.class, c::timezone);
            assertTrue(e.getMessage().chars().noneMatch(ch -> ch < 0x20), e.getMessage());
        }
    }
}

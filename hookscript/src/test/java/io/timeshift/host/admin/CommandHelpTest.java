package io.timeshift.host.admin;

import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.cli.BashCompletion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every admin command documents itself with examples; completion comes from the same command tree. */
class CommandHelpTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"enable", "disable", "verify", "plan", "doctor"})
    void helpShowsUsageAndExamplesAndExits0(String command) {
        FakePveNode node = new FakePveNode(dir, new MutableClock(Instant.parse("2026-01-10T08:00:00Z")));
        assertEquals(0, node.run(command, "--help"));
        assertTrue(node.out().startsWith("Usage: time-shift " + command), node.out());
        assertTrue(node.out().contains("Examples:\n  time-shift " + command), node.out());
        assertTrue(node.calls().isEmpty());
    }

    @Test
    void bashCompletionKnowsTheAdminCommandsAndTheirOptions() {
        String script = BashCompletion.script();
        for (String word : new String[] {"enable", "disable", "verify", "plan", "doctor", "--keep-time-sync", "--keep-clock",
                "--on-error", "--chain"}) {
            assertTrue(script.contains(word), word);
        }
    }
}

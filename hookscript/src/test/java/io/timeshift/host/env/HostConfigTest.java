package io.timeshift.host.env;

import io.timeshift.common.error.InvalidInputException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** /etc/time-shift/time-shift.json: every value within the bounds time-shift.json(5) documents, or exit 2 naming it. */
class HostConfigTest {
    @TempDir
    Path dir;

    private Path config(String json) throws Exception {
        Path f = dir.resolve("time-shift.json");
        Files.writeString(f, json);
        return f;
    }

    @Nested
    class Accepted {
        @Test
        void theShippedFileIsTheDefaults() throws Exception {
            Path shipped = Path.of("..", "packaging", "etc", "time-shift.json");

            assertEquals(HostConfig.DEFAULTS, HostConfig.load(shipped));
        }

        @Test
        void aMissingFileIsTheDefaults() {
            assertEquals(HostConfig.DEFAULTS, HostConfig.load(dir.resolve("none.json")));
        }

        @ParameterizedTest(name = "{0}: {1}")
        @CsvSource({"agentWait, PT1S", "agentWait, PT1H", "applyHold, PT0S", "applyHold, PT1H", "holdInterval, PT0.1S",
            "holdInterval, PT10M", "agentTimeout, PT0.1S", "agentTimeout, PT10M", "preStopBudget, PT0S",
            "preStopBudget, PT1M", "tolerance, PT0.001S", "tolerance, P1D"})
        void theEdgesOfEachRange(String key, String value) throws Exception {
            HostConfig.load(config("{\"" + key + "\":\"" + value + "\"}"));
        }

        @Test
        void agentTimeoutIsUsedAsGiven() throws Exception {
            assertEquals(Duration.ofSeconds(7), HostConfig.load(config("{\"agentTimeout\":\"7s\"}")).agentTimeout());
        }
    }

    @Nested
    class Refused {
        @ParameterizedTest(name = "{0}: {1}")
        @CsvSource({"agentTimeout, P2D, PT0.1S to PT10M", "agentTimeout, PT0S, PT0.1S to PT10M",
            "agentTimeout, PT0.05S, PT0.1S to PT10M", "agentWait, PT0S, PT1S to PT1H", "agentWait, P1D, PT1S to PT1H",
            "applyHold, PT2H, PT0S to PT1H", "applyHold, -PT1S, PT0S to PT1H", "holdInterval, PT0S, PT0.1S to PT10M",
            "preStopBudget, PT61S, PT0S to PT1M", "tolerance, PT0S, PT0.001S to P1D", "tolerance, P2D, PT0.001S to P1D"})
        void aDurationOutsideItsRangeIsExit2NamingTheFieldAndTheRange(String key, String value, String range) throws Exception {
            Path f = config("{\"" + key + "\":\"" + value + "\"}");

            InvalidInputException e = assertThrows(InvalidInputException.class, () -> HostConfig.load(f));

            assertEquals(2, e.exitCode());
            assertEquals(f + ": field '" + key + "': " + value + " is out of range; use " + range
                    + e.getMessage().substring(e.getMessage().indexOf(" (default ")), e.getMessage());
        }

        @Test
        void timeSyncOtherThanDisableOrKeep() throws Exception {
            Path f = config("{\"timeSync\":\"off\"}");

            InvalidInputException e = assertThrows(InvalidInputException.class, () -> HostConfig.load(f));

            assertEquals(f + ": field 'timeSync': must be \"disable\" or \"keep\"", e.getMessage());
        }

        @Test
        void aCommentThatIsNotText() throws Exception {
            Path f = config("{\"comment\":42}");

            assertEquals(f + ": field 'comment': must be a string",
                    assertThrows(InvalidInputException.class, () -> HostConfig.load(f)).getMessage());
        }

        @Test
        void aNumberWhereADurationBelongs() throws Exception {
            Path f = config("{\"agentTimeout\":3}");

            assertEquals(f + ": field 'agentTimeout': must be a duration string like \"PT60S\"",
                    assertThrows(InvalidInputException.class, () -> HostConfig.load(f)).getMessage());
        }
    }
}

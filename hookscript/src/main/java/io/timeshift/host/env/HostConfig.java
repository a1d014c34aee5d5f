package io.timeshift.host.env;

import io.timeshift.host.io.Json;
import io.timeshift.common.time.Durations;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Node-wide settings, {@code /etc/time-shift/time-shift.json} (a conffile). A missing file means the
 * built-in defaults; a present but invalid one is exit 2 naming the field.
 *
 * @param agentWait     how long the apply worker waits for the guest agent's first answer
 * @param applyHold     how long the worker keeps watching the guest clock after applying
 * @param holdInterval  how often it looks during the hold
 * @param agentTimeout  timeout of one agent exchange
 * @param preStopBudget how long pre-stop may spend reading the guest clock (it delays the stop)
 */
public record HostConfig(Duration agentWait, Duration applyHold, Duration holdInterval, Duration agentTimeout,
                         Duration preStopBudget) {

    public static final HostConfig DEFAULTS = new HostConfig(Duration.ofMinutes(5), Duration.ofSeconds(60),
            Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(2));

    private static final Set<String> KEYS = Set.of("agentWait", "applyHold", "holdInterval", "agentTimeout",
            "preStopBudget", "tolerance", "timeSync", "comment");

    public static HostConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return DEFAULTS;
        } catch (IOException e) {
            throw new EnvironmentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String src = file.toString();
        Map<String, Object> m = Json.parseObject(text, src);
        for (String k : m.keySet()) {
            if (!KEYS.contains(k)) {
                throw new InvalidInputException(src + ": field '" + k + "': unknown (valid: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        Object comment = m.get("comment");
        if (comment != null && !(comment instanceof String)) {
            throw new InvalidInputException(src + ": field 'comment': must be a string");
        }
        Object timeSync = m.get("timeSync");
        if (timeSync != null && !"disable".equals(timeSync) && !"keep".equals(timeSync)) {
            throw new InvalidInputException(src + ": field 'timeSync': must be \"disable\" or \"keep\"");
        }
        dur(m, "tolerance", Duration.ofSeconds(2), src, Duration.ofMillis(1), Duration.ofDays(1), "PT0.001S", "P1D");
        return new HostConfig(
                dur(m, "agentWait", DEFAULTS.agentWait, src, Duration.ofSeconds(1), Duration.ofHours(1), "PT1S", "PT1H"),
                dur(m, "applyHold", DEFAULTS.applyHold, src, Duration.ZERO, Duration.ofHours(1), "PT0S", "PT1H"),
                dur(m, "holdInterval", DEFAULTS.holdInterval, src, Duration.ofMillis(100), Duration.ofMinutes(10), "PT0.1S", "PT10M"),
                dur(m, "agentTimeout", DEFAULTS.agentTimeout, src, Duration.ofMillis(100), Duration.ofMinutes(10), "PT0.1S", "PT10M"),
                dur(m, "preStopBudget", DEFAULTS.preStopBudget, src, Duration.ZERO, Duration.ofMinutes(1), "PT0S", "PT1M"));
    }

    /**
     * A duration key within its bounds (time-shift.json(5) says them): what the apply worker, the agent
     * client and the hook can honour. Outside them is exit 2 naming the field, not a failure later.
     */
    private static Duration dur(Map<String, Object> m, String key, Duration def, String src, Duration min, Duration max,
                                String minText, String maxText) {
        Object v = m.get(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof String s)) {
            throw new InvalidInputException(src + ": field '" + key + "': must be a duration string like \"PT60S\"");
        }
        Duration d = Durations.parse(s, src + ": field '" + key + "'");
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new InvalidInputException(src + ": field '" + key + "': " + s + " is out of range; use " + minText
                    + " to " + maxText + " (default " + def + ")");
        }
        return d;
    }
}

package io.timeshift.host.admin;

import io.timeshift.pve.error.InvalidInputException;

import java.util.ArrayList;
import java.util.List;

/** The {@code --target} options of enable and plan: checked, duplicates dropped, order kept. */
final class TargetArgs {
    private TargetArgs() {
    }

    /** The targets as given (null: none); exit 2 naming the option for a blank one or one with whitespace. */
    static List<String> parse(List<String> args) {
        List<String> targets = new ArrayList<>();
        for (String t : args == null ? List.<String>of() : args) {
            if (t == null || t.isBlank() || t.chars().anyMatch(Character::isWhitespace)) {
                throw new InvalidInputException("--target: '" + t + "' is not a target (use host, host:port or https://host[:port])");
            }
            if (!targets.contains(t)) {
                targets.add(t);
            }
        }
        return targets;
    }
}

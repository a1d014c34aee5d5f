package io.timeshift.host.admin;

import io.timeshift.host.env.HostPort;

import java.util.ArrayList;
import java.util.List;

/** The {@code --target} options of enable and plan: checked ({@link HostPort}), duplicates dropped, order kept. */
final class TargetArgs {
    private TargetArgs() {
    }

    /** The targets as given (null: none); exit 2 naming the option for one that is not host[:port] or https://host[:port]. */
    static List<String> parse(List<String> args) {
        List<String> targets = new ArrayList<>();
        for (String t : args == null ? List.<String>of() : args) {
            HostPort.target("--target", t);
            if (!targets.contains(t)) {
                targets.add(t);
            }
        }
        return targets;
    }
}

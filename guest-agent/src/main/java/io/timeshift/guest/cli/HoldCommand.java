package io.timeshift.guest.cli;

import io.timeshift.guest.GuestContext;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.guest.hold.HoldService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hold}: what time-shift-guest-hold.service runs at boot; delegates to {@link HoldService}. */
@Command(name = "hold", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Boot step (time-shift-guest-hold.service): when policy.json exists, set the system clock back to the RTC if systemd or NTP moved it, and stop and disable time sync unless the policy says timeSync=keep. Exit 3 when a step failed.")
public final class HoldCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private final GuestContext ctx;

    public HoldCommand(GuestContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        HoldService.Result r = new HoldService(ctx).hold();
        r.lines().forEach(spec.commandLine().getOut()::println);
        if (!r.failures().isEmpty()) {
            spec.commandLine().getOut().flush();
            for (int i = 0; i < r.failures().size() - 1; i++) {
                spec.commandLine().getErr().println("error: " + r.failures().get(i));
            }
            throw new EnvironmentException(r.failures().get(r.failures().size() - 1));
        }
        return 0;
    }
}

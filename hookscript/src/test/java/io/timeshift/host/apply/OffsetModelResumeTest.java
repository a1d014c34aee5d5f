package io.timeshift.host.apply;

import io.timeshift.host.policy.Policy;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.state.VmState;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.TempHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A resumed (hibernated) continue-mode VM carries on from the guest time it was suspended at. */
class OffsetModelResumeTest {
    @TempDir
    Path dir;

    @Test
    void aResumedContinueVmKeepsTheGuestTimeOfItsSuspendNotTheTimeSpentAsleep() {
        TempHost host = new TempHost(dir).policy(PolicyJson.continuing(105, "2021-03-01T12:00:00Z"));
        Policy policy = new PolicyStore(host.paths()).read(105).orElseThrow();
        Instant suspendedAt = Instant.parse("2026-01-10T08:00:00Z");
        Instant guestThen = Instant.parse("2021-06-01T00:00:00Z");
        Instant resumedAt = suspendedAt.plus(Duration.ofDays(3));

        OffsetModel.Decision d = OffsetModel.decide(policy, resumedAt,
                new VmState.Stop(suspendedAt, guestThen, "pre-stop", "run-1"), null, true);

        assertEquals(OffsetModel.Reason.RESUME, d.reason());
        assertEquals(Duration.between(resumedAt, guestThen).toNanos(), d.offsetNs());
    }
}

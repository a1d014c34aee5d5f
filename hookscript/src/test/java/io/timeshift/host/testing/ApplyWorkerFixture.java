package io.timeshift.host.testing;

import io.timeshift.host.apply.ApplyWorker;
import io.timeshift.host.env.HostConfig;
import io.timeshift.host.io.PrintStreamLines;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.testsupport.MutableClock;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One VM on a temp node as the apply worker and the hook phases see it: a {@link TempHost} with VM
 * {@value #VM}'s config, a host clock and a monotonic source that move only when told (or when the worker
 * sleeps), a {@link FakeQemuGa} behind the agent seam, and the streams the worker and the hook write to.
 * Build it as a field, then {@link #node} in {@code @BeforeEach} with the test's {@code @TempDir}.
 */
public final class ApplyWorkerFixture {
    public static final int VM = 105;
    public static final String DATE = "2021-03-01T12:00:00Z";
    public static final Instant D = Instant.parse(DATE);
    public static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");
    /**
     * The worker's: agentWait 300 ms (real time is only spent by Failsafe's backoff while the agent is silent),
     * hold 5 s looked at every 1 s, agent timeout 1 s.
     */
    public static final HostConfig WORKER_CONFIG = new HostConfig(Duration.ofMillis(300), Duration.ofSeconds(5),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
    /** The hook phases': agentWait 1 s, hold 1 s, hold interval 100 ms, agent timeout 1 s, pre-stop 2 s. */
    public static final HostConfig HOOK_CONFIG = new HostConfig(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(2));

    public final MutableClock clock = new MutableClock(T0);
    public final FakeMonotonic mono = new FakeMonotonic();
    public final FakeQemuGa ga = new FakeQemuGa(clock, mono);
    /** The worker's log (its {@code log} stream). */
    public final ByteArrayOutputStream log = new ByteArrayOutputStream();
    /** A hook's stdout and stderr. */
    public final ByteArrayOutputStream out = new ByteArrayOutputStream();
    public final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<Runnable> atSleeps = new ArrayList<>();
    private int sleeps;
    private TempHost host;

    /** The node under {@code dir} with VM {@value #VM}'s config (no policy, no agent socket yet). */
    public TempHost node(Path dir) {
        host = new TempHost(dir).confWith(VM);
        return host;
    }

    public TempHost host() {
        if (host == null) {
            throw new IllegalStateException("call node(dir) first, in @BeforeEach");
        }
        return host;
    }

    /** Runs {@code event} just before the worker's next not yet scripted sleep (the n-th call: the n-th sleep). */
    public ApplyWorkerFixture atSleep(Runnable event) {
        atSleeps.add(event);
        return this;
    }

    /** The worker's sleeper: time passing moves both clocks; nothing really waits. */
    public void sleep(Duration d) {
        if (sleeps < atSleeps.size()) {
            atSleeps.get(sleeps).run();
        }
        sleeps++;
        mono.advance(d.toNanos());
        clock.advance(d);
    }

    /** How often the worker slept so far. */
    public int sleeps() {
        return sleeps;
    }

    /** The worker as {@code time-shift apply} by root builds it, over {@link #WORKER_CONFIG}. */
    public ApplyWorker worker() {
        return worker(WORKER_CONFIG);
    }

    public ApplyWorker worker(HostConfig config) {
        return new ApplyWorker(host().paths(), config, clock, mono, ga::client, this::sleep,
                new PrintStreamLines(new PrintStream(log, true, StandardCharsets.UTF_8)), "root");
    }

    /** State {@code lastApply} of VM {@value #VM} as written. */
    public Map<String, Object> lastApply() {
        return host().stateObject(VM, "lastApply");
    }

    public String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    /** A fresh stream over {@link #out} / {@link #err}, as a hook gets them. */
    public PrintStream outStream() {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }

    public PrintStream errStream() {
        return new PrintStream(err, true, StandardCharsets.UTF_8);
    }

    /** Forgets what the hook wrote so far (before each phase). */
    public void resetStreams() {
        out.reset();
        err.reset();
    }

    public List<String> outLines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    public List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }
}

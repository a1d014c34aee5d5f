package io.timeshift.host.testing;

import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.host.apply.ApplyWorker;
import io.timeshift.host.apply.Detacher;
import io.timeshift.host.env.HostConfig;
import io.timeshift.host.hook.HookService;
import io.timeshift.host.io.PrintStreamLines;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.QgaClient;
import io.timeshift.testsupport.MutableClock;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * One VM on a temp node as the apply worker and the hook phases see it: a {@link TempHost} with VM
 * {@value #VM}'s config, a host clock and a monotonic source that move only when told (or when the worker
 * sleeps), a {@link FakeQemuGa} behind the agent seam, and the streams the worker and the hook write to.
 * A JUnit extension: register it as a field ({@code @RegisterExtension final ApplyWorkerFixture fx = new
 * ApplyWorkerFixture().withAgentSocket();}); before each test it builds the node in a fresh temp directory,
 * after it removes that directory.
 */
public final class ApplyWorkerFixture implements BeforeEachCallback, AfterEachCallback {
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
    private boolean agentSocket;
    private PolicyJson policy;
    private Path dir;
    private TempHost host;

    /** VM {@value #VM} running with a fixed policy that keeps the guest's time sync: the worker touches only the clock. */
    public static ApplyWorkerFixture runningKeepingTimeSync() {
        return new ApplyWorkerFixture().withAgentSocket().withPolicy(PolicyJson.fixed(VM, DATE).with("timeSync", "keep"));
    }

    /** The VM runs: its agent socket is there. */
    public ApplyWorkerFixture withAgentSocket() {
        this.agentSocket = true;
        return this;
    }

    /** The VM has this policy from the start. */
    public ApplyWorkerFixture withPolicy(PolicyJson p) {
        this.policy = p;
        return this;
    }

    /** Builds the node in a fresh directory: VM {@value #VM}'s config, and the agent socket and policy asked for. */
    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("apply-worker-fixture");
        host = new TempHost(dir).confWith(VM);
        if (agentSocket) {
            host.agentSocket(VM);
        }
        if (policy != null) {
            host.policy(policy);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The node's root directory (a temp directory of this test alone). */
    public Path dir() {
        return require(dir);
    }

    public TempHost host() {
        return require(host);
    }

    private static <T> T require(T t) {
        if (t == null) {
            throw new IllegalStateException("register the fixture with @RegisterExtension: it builds the node before each test");
        }
        return t;
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

    /**
     * The hook of this node over {@link #HOOK_CONFIG}, this clock and the fake agent, writing to fresh streams over
     * {@link #out} and {@link #err} (emptied first: each phase's output alone).
     */
    public HookService hookService(Map<String, String> env, Detacher detacher) {
        return hookService(env, detacher, clock, ga::client);
    }

    /** The same with another clock and agent seam (a clock that fails, an agent that throws). */
    public HookService hookService(Map<String, String> env, Detacher detacher, Clock c, IntFunction<QgaClient> agents) {
        resetStreams();
        return new HookService(host().paths(), HOOK_CONFIG, env, c, outStream(), errStream(), detacher, agents);
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

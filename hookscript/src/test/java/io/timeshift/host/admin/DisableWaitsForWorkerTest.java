package io.timeshift.host.admin;

import io.timeshift.host.cli.Prompt;
import io.timeshift.host.cli.DisableCommand;
import io.timeshift.host.testing.JavaProcesses;
import io.timeshift.host.testing.LockHolderMain;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.common.error.EnvironmentException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code disable} on a running VM waits for an apply worker in its hold period (which would put the
 * shift back) by polling the worker's lock under {@code RetryPresets.pollLocal}, bounded by the wait
 * it is given; another process holds the lock, as a detached worker would.
 */
class DisableWaitsForWorkerTest {
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");

    @TempDir
    Path dir;

    private FakePveNode node;
    private final StringWriter out = new StringWriter();

    @BeforeEach
    void runningEnabledVm() throws IOException {
        node = new FakePveNode(dir, new MutableClock(T0));
        node.reply("get", FakePveNode.CONFIG, FakePveNode.fixture("config-105-enabled.json"));
        Map<String, Object> original = new LinkedHashMap<>();
        original.put("startdate", null);
        original.put("hookscript", null);
        original.put("agent", "fstrim_cloned_disks=1");
        node.host.policy(105, PolicyJson.fixed(105, "2021-03-01T12:00:00Z").with("original", original).text());
        node.running();
        node.ga.guestTime(Instant.parse("2021-03-05T10:00:00Z"));
        Files.createDirectories(node.host.paths().stateDir());
    }

    private int disable(Duration workerWait) {
        return DisableCommand.run(new DisableService(node.host.paths(), node.env, node.clock, node.clients()::asRoot, node.ga::client,
                workerWait), Prompt.system(), new PrintWriter(out, true), 105, false, true, false);
    }

    private Process holdWorkerLock() throws IOException {
        Process holder = JavaProcesses.start(LockHolderMain.class, node.host.paths().workerLock(105).toString());
        BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("locked", r.readLine());
        return holder;
    }

    @Test
    void aWorkerThatOutlastsTheWaitIsExit3NamingTheLockAndWhatToDo() throws Exception {
        Process holder = holdWorkerLock();
        try {
            long t0 = System.nanoTime();
            EnvironmentException e = assertThrows(EnvironmentException.class, () -> disable(Duration.ofMillis(1500)));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            assertEquals(3, e.exitCode());
            assertTrue(e.getMessage().contains("an apply worker for VM 105 still runs (lock " + node.host.paths().workerLock(105)
                    + "); run time-shift disable 105 again when it has finished"), e.getMessage());
            assertTrue(out.toString().contains("VM 105: waiting for the running apply worker to finish (up to 1 s)\n"), out.toString());
            assertTrue(took.compareTo(Duration.ofMillis(1400)) >= 0 && took.compareTo(Duration.ofSeconds(60)) < 0, "took " + took);
            assertTrue(node.ga.execs().isEmpty(), "the guest was not touched while the worker runs");
        } finally {
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aWorkerThatFinishesWithinTheWaitIsWaitedForAndTheGuestReset() throws Exception {
        Process holder = holdWorkerLock();
        // the "worker" ends once disable has started waiting for it (and a few polls have found it still there)
        Thread release = new Thread(() -> {
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!out.toString().contains("waiting for the running apply worker") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Thread.sleep(500);
                holder.getOutputStream().close();
            } catch (IOException | InterruptedException ignored) {
                // the test fails on the wait below instead
            }
        });
        release.start();
        try {
            assertEquals(0, disable(Duration.ofSeconds(20)));

            assertTrue(out.toString().contains("VM 105: waiting for the running apply worker to finish (up to 20 s)\n"), out.toString());
            assertEquals(List.of("rm", "-f", "/var/lib/time-shift-guest/policy.json"), node.ga.execs().get(0));
            assertTrue(out.toString().contains("guest clock back to real time"), out.toString());
            assertFalse(Files.exists(node.host.paths().policyFile(105)));
        } finally {
            release.join();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void noWorkerMeansNoWaitAndNoWaitingLine() {
        assertEquals(0, disable(Duration.ofSeconds(20)));

        assertFalse(out.toString().contains("waiting for the running apply worker"), out.toString());
    }
}

package io.timeshift.host.cluster;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.timeshift.host.cli.Cli;
import io.timeshift.host.cli.Services;
import io.timeshift.host.io.Json;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.host.testing.TempHost;
import io.timeshift.pve.api.retry.RetryConfig;
import io.timeshift.common.time.Monotonic;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark for the must-reach figure "{@code status --all} over a 500-VM cluster answer in ≤ 1 s after
 * the JVM is up": WireMock (in this JVM, HTTPS on localhost) serves {@link ClusterScenario}'s cluster
 * and the per-VM answers; the command runs in-process exactly as {@code time-shift status --all --json}
 * on node pve1 with the api-setup token (the real HTTPS transport, TLS pinned, production retry
 * settings). The first call is measured cold (no warm-up: class loading, TLS handshakes, JIT all
 * included); then the median of further calls. Run through {@code bench/status-all-bench.sh}.
 *
 * <p>Usage: {@code StatusAllBench [vms=500] [runs=5]}
 */
public final class StatusAllBench {
    private StatusAllBench() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path tmp = Files.createTempDirectory("status-all-bench");
        WireMockServer server = new WireMockServer(PveApi.options());
        server.start();
        try {
            ClusterScenario cluster = new ClusterScenario(count);
            TempHost node = new TempHost(tmp);
            cluster.prepareNode(node);
            cluster.stub(server);
            int port = server.httpsPort();
            Clock clock = Clock.systemUTC();
            PveClients clients = new PveClients(node.paths(), Map.of(), PveApi.rootTransport(port), PveApi.base(port),
                    RetryConfig.defaults());
            Services services = new Services(node.paths(), Map.of(), clock, Monotonic.SYSTEM,
                    new FakeQemuGa(clock, new FakeMonotonic())::client, clients);

            double first = once(services, cluster);
            int requestsPerCall = server.getAllServeEvents().size();
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                times.add(once(services, cluster));
            }
            times.sort(Comparator.naturalOrder());
            double median = runs % 2 == 1 ? times.get(runs / 2) : (times.get(runs / 2 - 1) + times.get(runs / 2)) / 2;
            System.out.printf(Locale.ROOT, "status --all --json: %d-VM /cluster/resources answer, %d VMs listed, %d API"
                            + " requests per call (HTTPS, token, WireMock on localhost, %d cores)%n", count,
                    cluster.expectedVmids().size(), requestsPerCall, Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "first call (cold JVM, no warm-up): %.0f ms%n", first);
            System.out.printf(Locale.ROOT, "median of %d further calls:       %.0f ms   (all: %s)%n", runs, median,
                    times.stream().map(t -> String.format(Locale.ROOT, "%.0f", t)).toList());
            System.out.printf(Locale.ROOT, "must reach <= 1000 ms: %s%n", first <= 1000 && median <= 1000 ? "yes" : "NO");
        } finally {
            server.stop();
        }
    }

    private static double once(Services services, ClusterScenario cluster) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        int code = Cli.run(services, new PrintWriter(out, true), new PrintWriter(err, true), "status", "--all", "--json");
        double ms = (System.nanoTime() - t0) / 1e6;
        if (code != 0) {
            throw new IllegalStateException("status --all exited " + code + ": " + err);
        }
        Object rows = Json.parseObject("{\"a\":" + out + "}", "stdout").get("a");
        if (!(rows instanceof List<?> l) || l.size() != cluster.expectedVmids().size()) {
            throw new IllegalStateException("unexpected rows: " + out.toString().substring(0, Math.min(400, out.toString().length())));
        }
        return ms;
    }
}

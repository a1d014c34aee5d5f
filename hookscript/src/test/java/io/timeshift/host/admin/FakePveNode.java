package io.timeshift.host.admin;

import io.timeshift.host.cli.Cli;
import io.timeshift.host.cli.Services;
import io.timeshift.host.cluster.PveClients;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.TempHost;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.retry.RetryConfig;
import io.timeshift.pve.api.transport.PveshTransport;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Proxmox node for the admin commands: the {@link TempHost} files (pmxcfs tree with {@code local} →
 * {@code nodes/pve1} and a {@code storage.cfg} whose {@code local} lives under the temp dir), the fake
 * {@code pvesh} of {@code src/test/resources/fake-pvesh} first on PATH, replaying recorded PVE 8 answers
 * and recording every argv, a {@link FakeQemuGa}, and a checkout launcher stand-in that records what the
 * detached worker was asked to run. {@link #run} runs the real CLI against all of it.
 */
final class FakePveNode {
    static final String NODE = "pve1";
    static final String DIGEST = "5e8d5b1f0c2a3d4e6f7a8b9c0d1e2f3a4b5c6d7e";
    static final String DIGEST_ENABLED = "9a1c2e3f4b5d6a7b8c9d0e1f2a3b4c5d6e7f8091";
    static final String CONFIG = "/nodes/pve1/qemu/105/config";

    final TempHost host;
    final Path root;
    final Path bin;
    final Path data;
    final Path vz;
    final Path launcher;
    final Path launched;
    final MutableClock clock;
    final FakeMonotonic mono = new FakeMonotonic();
    final FakeQemuGa ga;
    final Map<String, String> env = new LinkedHashMap<>();
    StringWriter out;
    StringWriter err;

    FakePveNode(Path root, MutableClock clock) {
        this.root = root;
        this.clock = clock;
        this.host = new TempHost(root);
        this.ga = new FakeQemuGa(clock, mono);
        try {
            bin = Files.createDirectories(root.resolve("bin"));
            data = Files.createDirectories(root.resolve("pvesh/responses"));
            Path script = bin.resolve("pvesh");
            Files.write(script, resource("/fake-pvesh/pvesh"));
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path pve = host.paths().pveDir();
            Files.createDirectories(pve.resolve("nodes/pve1/qemu-server"));
            Files.createSymbolicLink(pve.resolve("local"), Path.of("nodes/pve1"));
            vz = Files.createDirectories(root.resolve("vz/snippets")).getParent();
            Files.writeString(pve.resolve("storage.cfg"), "dir: local\n\tpath " + vz + "\n\tcontent iso,vztmpl,backup,snippets\n\n"
                    + "lvmthin: local-lvm\n\tthinpool data\n\tvgname pve\n\tcontent rootdir,images\n");
            Files.createDirectories(host.paths().stateDir());
            Files.createDirectories(host.paths().logDir());
            // the checkout's launcher: records the arguments the detached apply worker was started with
            launcher = Files.createDirectories(root.resolve("repo/bin")).resolve("time-shift");
            launched = root.resolve("launched");
            Files.writeString(launcher, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + launched + "'\n");
            Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        env.put("PATH", bin + ":/usr/bin:/bin");
        env.put("USER", "alice");
        env.put("TIME_SHIFT_LAUNCHER", launcher.toString());
        // the usual answers for VM 105 on pve1, stopped, storage local with snippets
        reply("get", CONFIG, fixture("config-105.json"));
        reply("get", "/storage/local", fixture("storage-local.json"));
        reply("get", "/storage/local-lvm", fixture("storage-local-lvm.json"));
        reply("get", "/nodes/pve1/qemu/105/status/current", fixture("status-stopped.json"));
        reply("get", "/version", fixture("version.json"));
        reply("get", "/cluster/resources", fixture("cluster-resources-vm.json"));
        // a one-node cluster whose local storage has the snippet (doctor's look at every node)
        reply("get", "/nodes", fixture("nodes-one.json"));
        reply("get", "/storage", fixture("storage-list.json"));
        reply("get", "/nodes/pve1/storage/local/content", fixture("content-snippets.json"));
        reply("get", "/access/permissions", fixture("access-permissions-root.json"));
    }

    // ------------------------------------------------------------------ scripting pvesh

    static String fixture(String name) {
        return new String(resource("/fake-pvesh/responses/" + name), StandardCharsets.UTF_8);
    }

    private static byte[] resource(String name) {
        try (InputStream in = FakePveNode.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource missing: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code pvesh <verb> <path>} prints {@code json} and exits 0. */
    FakePveNode reply(String verb, String path, String json) {
        clear(verb, path);
        write(verb, path, ".json", json.replace("/var/lib/vz", vz.toString()));
        return this;
    }

    /** {@code pvesh <verb> <path>} fails the way pvesh does: the message on stderr, exit 255. */
    FakePveNode fail(String verb, String path, String stderr) {
        clear(verb, path);
        write(verb, path, ".err", stderr);
        write(verb, path, ".exit", "255");
        return this;
    }

    /**
     * PVE's answers for VM 105's firewall as {@code isolate on} leaves it: enabled, {@code policy_out DROP},
     * and our two rules (BMCs on tcp/443, DNS to 192.0.2.53). The IP sets differ per test.
     */
    FakePveNode isolatedFirewall() {
        String fw = "/nodes/" + NODE + "/qemu/105/firewall";
        reply("get", fw + "/options", "{\"dhcp\":1,\"digest\":\"9f9f\",\"enable\":1,\"policy_out\":\"DROP\"}");
        reply("get", fw + "/rules", "[{\"action\":\"ACCEPT\",\"comment\":\"time-shift isolate: BMCs on tcp/443\","
                + "\"dest\":\"+time-shift-bmc\",\"digest\":\"2b2b\",\"dport\":\"443\",\"enable\":1,\"pos\":0,\"proto\":\"tcp\","
                + "\"type\":\"out\"},{\"action\":\"ACCEPT\",\"comment\":\"time-shift isolate: DNS to 192.0.2.53\",\"dest\":"
                + "\"192.0.2.53\",\"digest\":\"2b2b\",\"enable\":1,\"macro\":\"DNS\",\"pos\":1,\"type\":\"out\"}]");
        return this;
    }

    FakePveNode running() {
        reply("get", "/nodes/pve1/qemu/105/status/current", fixture("status-running.json"));
        host.agentSocket(105);
        return this;
    }

    private void clear(String verb, String path) {
        for (String ext : List.of(".json", ".err", ".exit")) {
            try {
                Files.deleteIfExists(data.resolve(verb + path + ext));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void write(String verb, String path, String ext, String text) {
        try {
            Path f = data.resolve(verb + path + ext);
            Files.createDirectories(f.getParent());
            Files.writeString(f, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** argv of every pvesh call, in order, with "pvesh" first. */
    List<List<String>> calls() {
        Path dir = root.resolve("pvesh/calls");
        List<List<String>> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                List<String> argv = new ArrayList<>();
                argv.add("pvesh");
                String raw = Files.readString(p, StandardCharsets.UTF_8);
                for (String a : raw.split("\0", -1)) {
                    argv.add(a);
                }
                argv.remove(argv.size() - 1);
                out.add(argv);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The calls that change something ({@code pvesh set|create|delete}). */
    List<List<String>> writes() {
        return calls().stream().filter(c -> !c.get(1).equals("get")).toList();
    }

    // ------------------------------------------------------------------ running the CLI

    PveClients clients() {
        String path = env.get("PATH");
        return new PveClients(host.paths(), env, () -> PveshTransport.builder().searchPath(path).build(),
                "https://127.0.0.1:9", RetryConfig.noDelays());
    }

    PveClient rootClient() {
        return clients().asRoot();
    }

    Services services() {
        return new Services(host.paths(), env, clock, mono, ga::client, clients());
    }

    int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Cli.run(services(), new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    String out() {
        return out.toString();
    }

    List<String> errLines() {
        return err.toString().lines().toList();
    }

    Path snippet() {
        return vz.resolve("snippets/time-shift-hook");
    }

    Path policyFile() {
        return host.paths().policyFile(105);
    }

    String policyText() {
        return TempHost.read(policyFile());
    }
}

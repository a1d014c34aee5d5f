package io.timeshift.host.admin;

import io.timeshift.common.error.InvalidInputException;

import io.timeshift.host.io.Json;
import io.timeshift.testsupport.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code enable --isolate}, {@code isolate on|off} and {@code disable} against the fake pvesh answering
 * with pve-firewall's shapes (options with digest; ipset and rule lists whose entries carry the list's
 * digest, rules their pos): exactly which API calls are made, and that disable puts back what was there.
 */
class IsolationTest {
    private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");
    private static final String FW = "/nodes/pve1/qemu/105/firewall";
    private static final String NET0 = "virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,tag=20";
    private static final String NET1 = "e1000=BC:24:11:2A:3B:4D,bridge=vmbr1,firewall=0,link_down=1";
    private static final String OPTIONS_DIGEST = "4b1e6d2f0a9c8e7d6c5b4a39281706f5e4d3c2b1";
    private static final String RULES_DIGEST = "7e2d4c6b8a0f1e3d5c7b9a2f4e6d8c0b1a3f5e7d";

    @TempDir
    Path dir;

    private FakePveNode node;

    @BeforeEach
    void node() {
        node = new FakePveNode(dir, new MutableClock(T0));
        node.reply("get", FakePveNode.CONFIG, twoNics(FakePveNode.fixture("config-105.json")));
        node.reply("get", FW + "/options", FakePveNode.fixture("firewall-options-105.json"));
        node.reply("get", FW + "/ipset", FakePveNode.fixture("firewall-ipsets-105.json"));
        node.reply("get", FW + "/rules", FakePveNode.fixture("firewall-rules-105.json"));
        node.reply("get", "/cluster/firewall/options", FakePveNode.fixture("cluster-firewall-options.json"));
    }

    private static String twoNics(String conf) {
        return conf.replace("\"net0\":\"virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,firewall=1\"",
                "\"net0\":\"" + NET0 + "\",\"net1\":\"" + NET1 + "\"");
    }

    private List<List<String>> firewallAndNicWrites() {
        List<List<String>> out = new ArrayList<>();
        for (List<String> w : node.writes()) {
            if (w.get(2).startsWith(FW) || w.contains("--net0") || w.contains("--net1")) {
                out.add(w);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> firewallRecord() {
        Map<String, Object> original = (Map<String, Object>) Json.parseObject(node.policyText(), "policy").get("original");
        return (Map<String, Object>) original.get("firewall");
    }

    private static List<String> argv(String... a) {
        return Arrays.asList(a);
    }

    @Nested
    class EnableWithIsolate {
        @Test
        void makesTheIpSetTheRulesTheOptionsAndTheNicsThroughTheApiInThisOrder() {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--target", "192.0.2.10",
                    "--target", "https://192.0.2.11:8443/login", "--isolate", "--yes"), node.out() + node.err);

            assertEquals(List.of(
                    argv("pvesh", "create", FW + "/ipset", "--output-format", "json", "--name", "time-shift-bmc",
                            "--comment", "time-shift: the BMCs this VM is for"),
                    argv("pvesh", "create", FW + "/ipset/time-shift-bmc", "--output-format", "json", "--cidr", "192.0.2.10",
                            "--comment", "192.0.2.10"),
                    argv("pvesh", "create", FW + "/ipset/time-shift-bmc", "--output-format", "json", "--cidr", "192.0.2.11",
                            "--comment", "192.0.2.11"),
                    argv("pvesh", "create", FW + "/rules", "--output-format", "json", "--type", "out", "--action", "ACCEPT",
                            "--dest", "+time-shift-bmc", "--proto", "tcp", "--dport", "8443", "--enable", "1",
                            "--comment", "time-shift isolate: BMCs on tcp/8443"),
                    argv("pvesh", "create", FW + "/rules", "--output-format", "json", "--type", "out", "--action", "ACCEPT",
                            "--dest", "+time-shift-bmc", "--proto", "tcp", "--dport", "443", "--enable", "1",
                            "--comment", "time-shift isolate: BMCs on tcp/443"),
                    argv("pvesh", "set", FW + "/options", "--output-format", "json", "--enable", "1", "--policy_out", "DROP",
                            "--digest", OPTIONS_DIGEST),
                    argv("pvesh", "set", FakePveNode.CONFIG, "--output-format", "json",
                            "--net0", NET0 + ",firewall=1",
                            "--net1", "e1000=BC:24:11:2A:3B:4D,bridge=vmbr1,firewall=1,link_down=1",
                            "--digest", FakePveNode.DIGEST)), firewallAndNicWrites());
            assertTrue(node.out().contains("VM 105: isolated: outbound traffic only to 192.0.2.10, 192.0.2.11 on tcp/443,8443"),
                    node.out());
        }

        @Test
        void recordsWhatWasThereAsTheOriginalOfThePolicy() {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--target", "192.0.2.10", "--isolate",
                    "--allow-dns", "192.0.2.53", "--yes"), node.out() + node.err);
            Map<String, Object> options = new LinkedHashMap<>();
            options.put("enable", null);
            options.put("policy_out", "ACCEPT");
            Map<String, Object> nets = new LinkedHashMap<>();
            nets.put("net0", NET0);
            nets.put("net1", NET1);
            Map<String, Object> want = new LinkedHashMap<>();
            want.put("ipset", "time-shift-bmc");
            want.put("members", List.of("192.0.2.10"));
            want.put("rules", List.of("time-shift isolate: BMCs on tcp/443", "time-shift isolate: DNS to 192.0.2.53"));
            want.put("options", options);
            want.put("nets", nets);
            assertEquals(want, firewallRecord());
            assertTrue(node.writes().contains(argv("pvesh", "create", FW + "/rules", "--output-format", "json", "--type", "out",
                    "--action", "ACCEPT", "--macro", "DNS", "--dest", "192.0.2.53", "--enable", "1",
                    "--comment", "time-shift isolate: DNS to 192.0.2.53")), node.writes().toString());
        }

        @Test
        void dryRunShowsTheFirewallChangesAndWritesNothing() {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--target", "192.0.2.10", "--isolate", "--dry-run"),
                    node.err.toString());
            assertEquals(List.of(), node.writes());
            String out = node.out();
            assertTrue(out.contains("  +ipset time-shift-bmc: 192.0.2.10\n"), out);
            assertTrue(out.contains("  +rule OUT ACCEPT dest +time-shift-bmc tcp/443\n"), out);
            assertTrue(out.contains("  -policy_out: ACCEPT\n  +policy_out: DROP\n"), out);
            assertTrue(out.contains("  -net1: " + NET1 + "\n"), out);
        }

        @Test
        void withoutATargetIsRefusedBeforeAnythingChanges() {
            assertEquals(2, node.run("enable", "105", "--date", "2021-03-01", "--isolate", "--yes"));
            assertEquals(List.of(), node.writes());
            assertTrue(node.err.toString().contains("isolation needs the BMCs the VM is for (--target <bmc>)"), node.err.toString());
        }

        @Test
        void allowDnsWithoutIsolateIsRefused() {
            assertEquals(2, node.run("enable", "105", "--date", "2021-03-01", "--allow-dns", "192.0.2.53", "--yes"));
            assertEquals(List.of(), node.writes());
            assertTrue(node.err.toString().contains("--allow-dns goes with --isolate"), node.err.toString());
        }

        @Test
        void anIpSetOfTheSameNameThatIsNotOursIsRefusedBeforeAnythingChanges() {
            node.reply("get", FW + "/ipset", "[{\"digest\":\"0c3b\",\"name\":\"time-shift-bmc\"}]");
            assertEquals(3, node.run("enable", "105", "--date", "2021-03-01", "--target", "192.0.2.10", "--isolate", "--yes"));
            assertEquals(List.of(), node.writes());
            assertEquals(1, node.errLines().size(), node.err.toString());
        }

        @Test
        void statusShowsTheVmIsolated() {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--target", "192.0.2.10", "--isolate", "--yes"));
            node.run("status", "105", "--json");
            assertTrue(node.out().contains("\"isolation\" : \"isolated (firewall: 1 BMC address, outbound DROP)\""), node.out());
            node.run("status", "105");
            assertTrue(node.out().lines().anyMatch(l -> l.startsWith("105") && l.contains(" yes ")), node.out());
        }

        @Test
        void aDatacenterFirewallThatIsOffIsWarnedAbout() {
            node.reply("get", "/cluster/firewall/options", "{\"digest\":\"a1b2\"}");
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--target", "192.0.2.10", "--isolate", "--yes"));
            assertTrue(node.out().contains("warning: the datacenter firewall is off"), node.out());
        }
    }

    @Nested
    class Restoring {
        /** The fake now answers as PVE would after enable --isolate: our IP set and rules first, firewall=1 on the NICs. */
        private void isolatedAnswers() {
            String conf = FakePveNode.fixture("config-105-enabled.json")
                    .replace("\"net0\":\"virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,firewall=1\"",
                            "\"net0\":\"" + NET0 + ",firewall=1\",\"net1\":\"e1000=BC:24:11:2A:3B:4D,bridge=vmbr1,firewall=1,link_down=1\"");
            node.reply("get", FakePveNode.CONFIG, conf);
            node.reply("get", FW + "/options", "{\"dhcp\":1,\"digest\":\"9f9f\",\"enable\":1,\"policy_out\":\"DROP\"}");
            node.reply("get", FW + "/ipset", "[{\"comment\":\"time-shift: the BMCs this VM is for\",\"digest\":\"1a1a\","
                    + "\"name\":\"time-shift-bmc\"},{\"comment\":\"the admin's own\",\"digest\":\"1a1a\",\"name\":\"office\"}]");
            node.reply("get", FW + "/rules", "[{\"action\":\"ACCEPT\",\"comment\":\"time-shift isolate: BMCs on tcp/443\","
                    + "\"dest\":\"+time-shift-bmc\",\"digest\":\"2b2b\",\"dport\":\"443\",\"enable\":1,\"pos\":0,\"proto\":\"tcp\","
                    + "\"type\":\"out\"},{\"action\":\"ACCEPT\",\"comment\":\"time-shift isolate: DNS to 192.0.2.53\",\"dest\":"
                    + "\"192.0.2.53\",\"digest\":\"2b2b\",\"enable\":1,\"macro\":\"DNS\",\"pos\":1,\"type\":\"out\"},"
                    + "{\"action\":\"ACCEPT\",\"digest\":\"2b2b\",\"enable\":1,\"macro\":\"SSH\",\"pos\":2,\"type\":\"in\"},"
                    + "{\"action\":\"ACCEPT\",\"comment\":\"time-shift isolate: my own, not recorded\",\"digest\":\"2b2b\","
                    + "\"enable\":1,\"pos\":3,\"type\":\"out\"}]");
        }

        private void enableIsolated() {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--target", "192.0.2.10", "--isolate",
                    "--allow-dns", "192.0.2.53", "--yes"), node.out() + node.err);
            isolatedAnswers();
        }

        private int writesBefore() {
            return node.writes().size();
        }

        @Test
        void disablePutsBackTheFirewallAndTheNicsExactlyAndLeavesTheAdminsOwnAlone() {
            enableIsolated();
            int before = writesBefore();
            assertEquals(0, node.run("disable", "105", "--yes"), node.out() + node.err);

            List<List<String>> writes = node.writes().subList(before, node.writes().size());
            assertEquals(argv("pvesh", "delete", FW + "/rules/1", "--output-format", "json", "--digest", "2b2b"), writes.get(0));
            assertEquals(argv("pvesh", "delete", FW + "/rules/0", "--output-format", "json"), writes.get(1));
            assertEquals(argv("pvesh", "delete", FW + "/ipset/time-shift-bmc", "--output-format", "json", "--force", "1"),
                    writes.get(2));
            assertEquals(argv("pvesh", "set", FW + "/options", "--output-format", "json", "--policy_out", "ACCEPT",
                    "--delete", "enable", "--digest", "9f9f"), writes.get(3));
            List<String> config = writes.get(4);
            assertEquals(NET0, config.get(config.indexOf("--net0") + 1), "byte for byte what was there");
            assertEquals(NET1, config.get(config.indexOf("--net1") + 1), "firewall=0 again, in its place");
            assertEquals(5, writes.size(), writes.toString());
            assertFalse(node.policyFile().toFile().exists());
        }

        @Test
        void isolateOffRestoresTheSameAndKeepsThePolicyWithoutTheRecord() {
            enableIsolated();
            int before = writesBefore();
            assertEquals(0, node.run("isolate", "105", "off", "--yes"), node.out() + node.err);
            List<List<String>> writes = node.writes().subList(before, node.writes().size());
            assertEquals(4 + 1, writes.size(), writes.toString());
            assertEquals(argv("pvesh", "set", FakePveNode.CONFIG, "--output-format", "json", "--net0", NET0, "--net1", NET1,
                    "--digest", FakePveNode.DIGEST_ENABLED), writes.get(4));
            assertNull(firewallRecord());
            assertTrue(node.out().contains("VM 105: isolation removed"), node.out());
        }

        @Test
        void aNicTheAdminChangedSinceKeepsTheChangeAndOnlyLosesTheFirewallOption() {
            enableIsolated();
            String conf = FakePveNode.fixture("config-105-enabled.json").replace(
                    "\"net0\":\"virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,firewall=1\"",
                    "\"net0\":\"virtio=BC:24:11:2A:3B:4C,bridge=vmbr9,tag=20,firewall=1\",\"net1\":\"" + NET1.replace("firewall=0",
                            "firewall=1") + "\"");
            node.reply("get", FakePveNode.CONFIG, conf);
            int before = writesBefore();
            assertEquals(0, node.run("isolate", "105", "off", "--yes"), node.out() + node.err);
            List<String> config = node.writes().get(node.writes().size() - 1);
            assertEquals("virtio=BC:24:11:2A:3B:4C,bridge=vmbr9,tag=20", config.get(config.indexOf("--net0") + 1));
            assertTrue(before < node.writes().size());
        }

        @Test
        void isolateOffOnAVmThatIsNotIsolatedChangesNothing() {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
            int before = writesBefore();
            assertEquals(0, node.run("isolate", "105", "off", "--yes"));
            assertEquals(before, node.writes().size());
            assertTrue(node.out().contains("VM 105 is not isolated; nothing to do"), node.out());
        }

        @Test
        void isolateOnNeedsAPolicy() {
            assertEquals(2, node.run("isolate", "105", "on", "--yes"));
            assertEquals(List.of(), node.writes());
        }

        @Test
        void anythingButOnOrOffIsRefusedNamingTheValue() {
            assertEquals(2, node.run("isolate", "105", "maybe"));
            assertTrue(node.err.toString().contains("'maybe' is neither on nor off"), node.err.toString());
        }
    }

    @Nested
    class Doctor {
        @Test
        void warnsWhenAnIsolatedVmsFirewallCannotTakeEffect() throws Exception {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--target", "192.0.2.10", "--isolate", "--yes"));
            java.nio.file.Files.writeString(node.host.paths().pveDir().resolve("nodes/pve1/qemu-server/105.conf"), "memory: 512\n");
            node.reply("get", "/cluster/firewall/options", "{\"digest\":\"a1b2\",\"enable\":0}");
            node.reply("get", FW + "/options", "{\"digest\":\"9f9f\",\"enable\":1,\"policy_out\":\"DROP\"}");
            // net1 lost firewall=1 since (net0 as isolation left it)
            node.reply("get", FakePveNode.CONFIG, twoNics(FakePveNode.fixture("config-105-enabled.json"))
                    .replace(NET0, NET0 + ",firewall=1"));
            assertEquals(1, node.run("doctor"), node.out());
            String out = node.out();
            assertTrue(out.contains("FAIL  VM 105 is isolated, but the datacenter firewall is off"), out);
            assertTrue(out.contains("FAIL  VM 105 is isolated, but its net1 has no firewall=1"), out);
            assertFalse(out.contains("its net0 has no firewall=1"), out);
        }

        @Test
        void notesAPastDatedVmThatIsNotIsolated() throws Exception {
            assertEquals(0, node.run("enable", "105", "--date", "2021-03-01", "--yes"));
            java.nio.file.Files.writeString(node.host.paths().pveDir().resolve("nodes/pve1/qemu-server/105.conf"), "memory: 512\n");
            node.run("doctor");
            assertTrue(node.out().contains("note  VM 105 runs with its clock in the past and is not isolated"), node.out());
        }
    }

    @Nested
    class PolicyRecord {
        private static final String BASE = "{\"version\":1,\"vmid\":105,\"mode\":\"fixed\",\"date\":\"2021-03-01T00:00:00Z\","
                + "\"original\":{\"startdate\":null,\"hookscript\":null,\"agent\":\"1\"";

        @Test
        void theFirewallRecordRoundTripsThroughThePolicyFile() {
            io.timeshift.host.policy.Policy p = io.timeshift.host.policy.PolicyParser.parse(BASE
                    + ",\"firewall\":{\"ipset\":\"time-shift-bmc\",\"members\":[\"192.0.2.10\"],\"rules\":[],"
                    + "\"options\":{\"enable\":null,\"policy_out\":\"ACCEPT\"},\"nets\":{\"net0\":\"virtio=x\"}}}}", 105, "p");
            assertTrue(Isolation.isolated(p));
            String written = new String(Json.pretty(p.toJson()), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(p, io.timeshift.host.policy.PolicyParser.parse(written, 105, "p"));
            assertEquals("isolated (firewall: 1 BMC address, outbound DROP)", Isolation.statusText(p));
        }

        @Test
        void aPolicyWithoutTheRecordIsNotIsolatedAndWritesNoFirewallKey() {
            io.timeshift.host.policy.Policy p = io.timeshift.host.policy.PolicyParser.parse(BASE + "}}", 105, "p");
            assertFalse(Isolation.isolated(p));
            assertFalse(((Map<?, ?>) p.toJson().get("original")).containsKey("firewall"));
        }

        @Test
        void aFirewallRecordThatIsNotAnObjectIsRefusedNamingTheField() {
            io.timeshift.common.error.InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.timeshift.common.error.InvalidInputException.class,
                    () -> io.timeshift.host.policy.PolicyParser.parse(BASE + ",\"firewall\":\"on\"}}", 105, "p"));
            assertTrue(e.getMessage().startsWith("p: field 'original.firewall': must be an object"), e.getMessage());
        }
    }

    @Nested
    class Targets {
        @Test
        void namesAreResolvedAndSaidWhatTheyResolvedTo() {
            Isolation.Resolver fake = host -> {
                if (host.equals("idrac.mgmt")) {
                    return List.of("192.0.2.20", "2001:db8::20");
                }
                throw new UnknownHostException(host);
            };
            List<Isolation.Endpoint> eps = Isolation.resolve(List.of("https://idrac.mgmt:8443", "192.0.2.21"), fake);
            assertEquals(List.of("  idrac.mgmt resolved to 192.0.2.20, 2001:db8::20"), io.timeshift.host.cli.IsolationRenderer.resolved(eps));
            Isolation.Desired d = Isolation.desired(eps, List.of());
            assertEquals(List.of("192.0.2.20", "2001:db8::20", "192.0.2.21"), List.copyOf(d.members().keySet()));
            assertEquals(List.of(443, 8443), List.copyOf(d.ports()));
        }

        @Test
        void aNameThatDoesNotResolveIsRefusedNamingTheTarget() {
            Isolation.Resolver none = host -> {
                throw new UnknownHostException(host);
            };
            io.timeshift.common.error.InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.timeshift.common.error.InvalidInputException.class, () -> Isolation.resolve(List.of("ilo.gone:443"), none));
            assertTrue(e.getMessage().startsWith("--target: 'ilo.gone:443': the name ilo.gone does not resolve"), e.getMessage());
        }

        @Test
        void aDnsResolverMustBeAnAddress() {
            org.junit.jupiter.api.Assertions.assertThrows(io.timeshift.common.error.InvalidInputException.class,
                    () -> Isolation.desired(List.of(), List.of("dns.example")));
        }
    }
}

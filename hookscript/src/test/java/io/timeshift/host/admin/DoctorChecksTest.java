package io.timeshift.host.admin;

import io.timeshift.common.error.EnvironmentException;
import io.timeshift.host.policy.PolicyParser;
import io.timeshift.host.policy.PolicyStore;
import io.timeshift.host.testing.PolicyJson;
import io.timeshift.host.testing.TempHost;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.StorageConfig;
import io.timeshift.testsupport.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** doctor's checks, one class each: their verdicts (ok and problem), notes and warnings, word for word. */
class DoctorChecksTest {
    @TempDir
    Path dir;

    private static DoctorService.Check ok(String check, String detail) {
        return new DoctorService.Check(check, true, detail, null);
    }

    private static DoctorService.Check bad(String check, String detail, String fix) {
        return new DoctorService.Check(check, false, detail, fix);
    }

    @Nested
    class Java {
        @Test
        void seventeenOrLaterIsOkAndNamesTheRuntime() {
            assertEquals(List.of(ok("java", "Java 17.0.9+9 (/usr/lib/jvm/java-17)")),
                    new JavaCheck(Runtime.Version.parse("17.0.9+9"), "/usr/lib/jvm/java-17").run());
        }

        @Test
        void anOlderRuntimeIsAProblemWithThePackagesToInstall() {
            assertEquals(List.of(bad("java", "Java 11.0.2 is too old (17 or later needed)",
                            "apt install openjdk-17-jre-headless (Proxmox VE 8) or openjdk-21-jre-headless (Proxmox VE 9)")),
                    new JavaCheck(Runtime.Version.parse("11.0.2"), "/usr/lib/jvm/java-11").run());
        }
    }

    @Nested
    class HostConfigFile {
        @Test
        void absentMeansBuiltInDefaults() {
            Path f = dir.resolve("config.json");
            assertEquals(List.of(ok("config", f + " absent: built-in defaults")), new HostConfigCheck(f).run());
        }

        @Test
        void validIsOkAndInvalidNamesTheFileToFix() throws Exception {
            Path f = dir.resolve("config.json");
            Files.writeString(f, "{}");
            assertEquals(List.of(ok("config", f + " is valid")), new HostConfigCheck(f).run());

            Files.writeString(f, "{\"nope\": 1}");
            List<DoctorService.Check> c = new HostConfigCheck(f).run();
            assertEquals(1, c.size());
            assertEquals(false, c.get(0).ok());
            assertEquals(true, c.get(0).detail().startsWith(f + ": field 'nope': unknown"), c.get(0).detail());
            assertEquals("fix the named field in " + f, c.get(0).fix());
        }
    }

    @Nested
    class WritableDirs {
        @Test
        void aMissingStateDirectoryIsAProblemFixedByCreatingIt() throws Exception {
            TempHost host = new TempHost(dir);
            Files.createDirectories(host.paths().logDir());
            deleteTree(host.paths().stateDir());

            List<DoctorService.Check> c = new WritableDirsCheck(host.paths()).run();

            assertEquals(3, c.size(), c.toString());
            assertEquals("pmxcfs", c.get(0).check());
            assertEquals(bad("dirs", host.paths().stateDir() + " does not exist (the package creates it)",
                    "mkdir -p " + host.paths().stateDir()), c.get(1));
            assertEquals(ok("dirs", host.paths().logDir() + " is writable"), c.get(2));
        }

        @Test
        void aReadOnlyPolicyDirectoryIsTheQuorumProblem() throws Exception {
            TempHost host = new TempHost(dir);
            Path policies = host.paths().policyDir();
            Files.createDirectories(policies);
            Files.setPosixFilePermissions(policies, PosixFilePermissions.fromString("r-xr-xr-x"));
            try {
                DoctorService.Check c = new WritableDirsCheck(host.paths()).run().get(0);

                assertEquals(bad("pmxcfs", policies + " is read-only (mode 0555) (without quorum /etc/pve is read-only)",
                        "check the cluster quorum: pvecm status"), c);
            } finally {
                Files.setPosixFilePermissions(policies, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    @Nested
    class Proxmox {
        @Test
        void anAnsweringApiIsOkWithItsVersionAndWhere() {
            assertEquals(List.of(ok("proxmox", "Proxmox VE 8.2.4 on node pve1")),
                    new ProxmoxCheck("8.2.4", "on node pve1", null).run());
        }

        @Test
        void anApiThatDoesNotAnswerIsAProblemToRunDoctorAsRoot() {
            assertEquals(List.of(bad("proxmox", "cannot ask Proxmox: pvesh not found on PATH",
                            "run time-shift doctor as root on a Proxmox VE node")),
                    new ProxmoxCheck(null, "on node pve1", "pvesh not found on PATH").run());
        }
    }

    @Nested
    class Policies {
        @Test
        void aValidPolicyOfAnExistingVmIsOk() {
            TempHost host = new TempHost(dir).policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z"));
            List<DoctorInputs.PolicyFile> files = DoctorInputs.readPolicies(new PolicyStore(host.paths()), List.of(105));

            assertEquals(List.of(ok("policy", host.paths().policyFile(105) + " is valid")),
                    new PoliciesCheck(files, id -> true, "does not exist").run());
            assertEquals(List.of(105), List.copyOf(DoctorInputs.valid(files).keySet()));
        }

        @Test
        void anInvalidPolicyIsRecreatedAndOneWithoutItsVmIsAnOrphan() {
            TempHost host = new TempHost(dir).policy(106, PolicyJson.fixed(106, "2021-03-01T12:00:00Z").with("ofset", "1d").text());
            List<DoctorInputs.PolicyFile> files = DoctorInputs.readPolicies(new PolicyStore(host.paths()), List.of(106));

            List<DoctorService.Check> c = new PoliciesCheck(files, id -> false, "is not in the cluster").run();

            assertEquals(2, c.size(), c.toString());
            assertEquals(bad("policy", files.get(0).error(), "re-create it: time-shift enable 106 --date <when> --yes"), c.get(0));
            assertTrue(files.get(0).error().contains("field 'ofset': unknown field"), files.get(0).error());
            assertEquals(bad("orphan", "policy " + host.paths().policyFile(106) + " belongs to no VM (VM 106 is not in the cluster)",
                    "time-shift disable 106 --yes"), c.get(1));
            assertEquals(Map.of(), DoctorInputs.valid(files));
        }
    }

    /** The checks that read the node's files and ask its API: a {@link FakePveNode} (pvesh stand-in). */
    @Nested
    class OnANode {
        private static final String HOOK = "local:snippets/time-shift-hook";

        private FakePveNode node;

        @BeforeEach
        void node() throws Exception {
            node = new FakePveNode(dir, new MutableClock(Instant.parse("2026-01-10T08:00:00Z")));
            node.host.confWith(105);
            node.host.policy(PolicyJson.fixed(105, "2021-03-01T12:00:00Z"));
            Files.writeString(node.snippet(), "#!/bin/sh\n");
            Files.setPosixFilePermissions(node.snippet(), PosixFilePermissions.fromString("rwxr-xr-x"));
        }

        private DoctorInputs inputs(PveClient client) {
            return DoctorInputs.read(node.host.paths(), "pve1", client, "8.2.4", null);
        }

        private SnippetsCheck snippets(DoctorInputs in) {
            return new SnippetsCheck(in.confs().values(), in.policies(), in.storages(), node.host.paths().pveDir());
        }

        @Test
        void anExecutableSnippetIsOk() {
            assertEquals(List.of(ok("snippet", HOOK + " (VM 105) at " + node.snippet() + " is present and executable")),
                    snippets(inputs(null)).run());
        }

        @Test
        void aVmWithAPolicyButNoHookscriptIsAProblemFixedByEnable() {
            node.host.conf(105, "agent: 1\nname: jump-vm\n");

            assertEquals(List.of(bad("hookscript", "VM 105 has a policy but its hookscript is not set",
                    "time-shift enable 105 --date <when> --yes")), snippets(inputs(null)).run());
        }

        @Test
        void skippedConfigLinesAreWarningsNotVerdicts() {
            node.host.confWith(105, "Memory: 1");

            DoctorCheck.Outcome o = snippets(inputs(null)).outcome();

            assertEquals(1, o.checks().size(), o.toString());
            assertEquals(List.of("VM 105: " + node.host.paths().vmConf(105) + ":9: unable to parse config: Memory: 1 (line skipped)"
                    + " (Proxmox skips it as well; fix or remove the line)"), o.warnings());
        }

        @Test
        void aStorageInUseWithSnippetsIsOkAndOneThatIsGoneIsAProblem() {
            try (PveClient client = node.rootClient()) {
                DoctorInputs in = inputs(client);
                assertEquals(List.of("local"), List.copyOf(in.storagesInUse()));
                assertEquals(List.of(ok("storage", "storage local allows snippets")),
                        StoragesCheck.inUse(in.storagesInUse(), in.storages()).run());

                node.fail("get", "/storage/nfs", "storage 'nfs' does not exist\n");
                assertEquals(List.of(bad("storage", "storage 'nfs' used by a time-shift hookscript does not exist",
                                "time-shift enable <vmid> --storage <existing storage> --yes")),
                        StoragesCheck.inUse(List.of("nfs"), StorageLookups.api(client)).run());
            }
        }

        @Test
        void withoutTheApiTheStoragesAreNotJudged() {
            assertEquals(List.of(), StoragesCheck.inUse(List.of("local"), StorageLookups.api(null)).run());
        }

        @Test
        void theSnippetOnAnotherNodeIsOkWhenListed() {
            try (PveClient client = node.rootClient()) {
                DoctorInputs in = inputs(client);
                DoctorCheck.Outcome o = CoverageCheck.fromNode(true, node::rootClient, in.policyVolids(), in.storages(), "pve9")
                        .outcome();
                assertEquals(new DoctorCheck.Outcome(List.of(ok("coverage", "node pve1: " + HOOK + " is present")), List.of(),
                        List.of()), o);
                // this node's own file is checked directly: not again
                assertEquals(List.of(), CoverageCheck.fromNode(true, node::rootClient, in.policyVolids(), in.storages(), "pve1")
                        .run());
            }
        }

        @Test
        void anotherNodeWithoutTheSnippetIsAProblemWithItsFix() {
            node.reply("get", "/nodes", FakePveNode.fixture("nodes-three.json"));
            node.reply("get", "/nodes/pve2/storage/local/content", FakePveNode.fixture("content-snippets-other.json"));
            try (PveClient client = node.rootClient()) {
                DoctorInputs in = inputs(client);
                DoctorCheck.Outcome o = CoverageCheck.cluster(client, in.policyVolids(), in.storages()).outcome();

                assertEquals(List.of(ok("coverage", "node pve1: " + HOOK + " is present"),
                        bad("coverage", "node pve2: " + HOOK + " is missing; a VM with a time-shift policy that migrates or starts"
                                + " there will refuse to start", "install time-shift-proxmox on pve2 (its postinst puts the"
                                + " snippet into /var/lib/vz/snippets/), or put the snippet on shared storage (time-shift enable"
                                + " <vmid> --storage <shared storage with snippets>)")), o.checks());
                assertEquals(List.of("node pve3 (offline) was not checked for the snippet; check again when it is back, before VMs with a"
                        + " policy migrate there"), o.notes());
            }
        }

        @Test
        void rootThatCannotBeAskedIsAProblemAndNoApiOrNoVolumeANote() {
            DoctorInputs in = inputs(null);
            Supplier<PveClient> noRoot = () -> {
                throw new EnvironmentException("pvesh not found on PATH");
            };
            assertEquals(List.of(bad("coverage", "cannot ask Proxmox as root@pam for the snippets of the other nodes: pvesh not"
                            + " found on PATH", "run time-shift doctor as root on a Proxmox VE node")),
                    CoverageCheck.fromNode(true, noRoot, in.policyVolids(), in.storages(), "pve1").run());
            assertEquals(new DoctorCheck.Outcome(List.of(), List.of("the snippet on the other nodes was not checked: Proxmox did"
                    + " not answer"), List.of()), CoverageCheck.fromNode(false, noRoot, in.policyVolids(), in.storages(), "pve1")
                    .outcome());
            assertEquals(new DoctorCheck.Outcome(List.of(), List.of("no VM with a policy runs the time-shift snippet from a usable"
                    + " storage: the other nodes were not checked for it"), List.of()),
                    CoverageCheck.fromNode(true, noRoot, List.of(), in.storages(), "pve1").outcome());
        }

        private static final String ISOLATED = "{\"version\":1,\"vmid\":105,\"mode\":\"fixed\",\"date\":\"2021-03-01T00:00:00Z\","
                + "\"original\":{\"startdate\":null,\"hookscript\":null,\"agent\":\"1\",\"firewall\":{\"ipset\":\"time-shift-bmc\","
                + "\"members\":[\"192.0.2.10\"],\"rules\":[],\"options\":{\"enable\":null,\"policy_out\":\"ACCEPT\"},"
                + "\"nets\":{\"net0\":\"virtio=x\"}}}}";

        private IsolationCheck isolation(PveClient client, String policy) {
            DoctorInputs in = inputs(client);
            return new IsolationCheck(client, "pve1", Map.of(105, PolicyParser.parse(policy, 105, "p")), in.confs(), node.clock);
        }

        @Test
        void anIsolatedVmWhoseFirewallTakesEffectIsOk() {
            node.reply("get", "/cluster/firewall/options", FakePveNode.fixture("cluster-firewall-options.json"));
            node.reply("get", "/nodes/pve1/qemu/105/firewall/options", "{\"digest\":\"9f9f\",\"enable\":1,\"policy_out\":\"DROP\"}");
            try (PveClient client = node.rootClient()) {
                assertEquals(new DoctorCheck.Outcome(List.of(ok("isolation", "VM 105 is isolated (firewall: 1 BMC address,"
                        + " outbound DROP)")), List.of(), List.of()), isolation(client, ISOLATED).outcome());
            }
        }

        @Test
        void anIsolatedVmWithTheDatacenterFirewallOffIsAProblem() {
            node.reply("get", "/cluster/firewall/options", "{\"digest\":\"a1b2\",\"enable\":0}");
            node.reply("get", "/nodes/pve1/qemu/105/firewall/options", "{\"digest\":\"9f9f\",\"enable\":1,\"policy_out\":\"DROP\"}");
            try (PveClient client = node.rootClient()) {
                assertEquals(List.of(bad("isolation", "VM 105 is isolated, but the datacenter firewall is off, so no VM firewall"
                        + " takes effect", "pvesh set /cluster/firewall/options --enable 1 (Datacenter → Firewall → Options; allow"
                        + " SSH/8006 to the nodes first)")), isolation(client, ISOLATED).run());
            }
        }

        @Test
        void aPastDatedVmThatIsNotIsolatedIsANoteAndAnIsolatedOneWithoutTheApiToo() {
            String plain = PolicyJson.fixed(105, "2021-03-01T12:00:00Z").text();
            assertEquals(new DoctorCheck.Outcome(List.of(), List.of("VM 105 runs with its clock in the past and is not isolated:"
                    + " it accepts certificates that expired or were revoked long ago, for every host it can reach (fix: time-shift"
                    + " isolate 105 on)"), List.of()), isolation(null, plain).outcome());
            assertEquals(new DoctorCheck.Outcome(List.of(), List.of("VM 105's isolation was not checked: Proxmox did not answer"),
                    List.of()), isolation(null, ISOLATED).outcome());
        }
    }

    /** Through {@code --remote}: from one listing of the storages and the VMs' configs as the API shows them. */
    @Nested
    class Cluster {
        private StorageConfig storage(String id, String content, boolean disabled) {
            return new StorageConfig(id, "dir", List.of(content.split(",")), Optional.empty(), false, List.of(), disabled,
                    Optional.empty(), Map.of());
        }

        @Test
        void storagesWithSnippetsAreOkAndEachInUseOnce() {
            StorageLookups l = StorageLookups.listed(List.of(storage("local", "iso,snippets", false), storage("nfs", "snippets", true)));

            assertEquals(List.of(ok("storage", "storages with the snippets content type: local"),
                            ok("storage", "storage local allows snippets"), ok("storage", "storage nfs allows snippets")),
                    StoragesCheck.cluster(List.of("local", "nfs"), l).run());
        }

        @Test
        void noStorageWithSnippetsNamesThePvesmCommandAndAStorageInUseWithoutIsReportedOnce() {
            StorageLookups l = StorageLookups.listed(List.of(storage("local", "iso,backup", false)));

            assertEquals(List.of(bad("storage", "no storage allows the snippets content type, so time-shift enable has nowhere to"
                                    + " put its hook snippet", "pvesm set local --content iso,backup,snippets"),
                            bad("storage", "storage local does not allow the snippets content type",
                                    "pvesm set local --content iso,backup,snippets")),
                    StoragesCheck.cluster(List.of("local", "local"), l).run());
            assertEquals(Set.of(), l.usable(List.of("local:snippets/time-shift-hook")));
        }
    }

    private static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}

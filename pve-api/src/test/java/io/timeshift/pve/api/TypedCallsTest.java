package io.timeshift.pve.api;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.timeshift.pve.api.support.PveServer.API;
import static io.timeshift.pve.api.support.PveServer.fixture;
import static io.timeshift.pve.api.support.PveServer.json;
import static io.timeshift.pve.api.support.PveServer.nullData;
import static io.timeshift.pve.api.support.PveServer.pveError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.timeshift.pve.api.error.PveConflictException;
import io.timeshift.pve.api.retry.RetryConfig;
import io.timeshift.pve.api.support.PveServer;
import io.timeshift.pve.api.support.TestCerts;
import io.timeshift.pve.api.transport.ApiToken;
import io.timeshift.pve.api.transport.HttpsTransport;
import io.timeshift.pve.api.transport.Secret;
import io.timeshift.pve.api.transport.TlsTrust;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The typed calls that used to be made around the client (access, the per-node VM list, storage
 * content, the startdate re-arm), each asserted on its exact request. Shapes from pve-access-control
 * {@code API2/User.pm}, {@code Role.pm}, {@code ACL.pm}, {@code AccessControl.pm} and qemu-server
 * {@code API2/Qemu.pm} ({@code vmlist}, {@code update_vm}).
 */
class TypedCallsTest {
    @RegisterExtension
    static WireMockExtension pve = PveServer.https();

    static final String FORM = "application/x-www-form-urlencoded; charset=UTF-8";
    PveClient client;

    @BeforeEach
    void connect() {
        client = PveClient.over(HttpsTransport.builder()
                .endpoint("https://localhost:" + pve.getHttpsPort())
                .credentials(new ApiToken("root@pam!setup", Secret.of("0b7e3a4c-9d21-4f5e-8a6b-7c8d9e0f1a2b")))
                .trust(TlsTrust.caFile(TestCerts.get().caPem))
                .build(), RetryConfig.noDelays());
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void theClientOffersNoWayAroundItsTypedCalls() {
        List<String> publicMethods = Arrays.stream(PveClient.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers())).map(Method::getName).toList();

        assertFalse(publicMethods.contains("transport"), publicMethods.toString());
        assertFalse(publicMethods.contains("resilience"), publicMethods.toString());
        assertFalse(publicMethods.contains("get") || publicMethods.contains("put") || publicMethods.contains("post")
                || publicMethods.contains("delete"), publicMethods.toString());
    }

    @Nested
    class Access {
        @Test
        void userWithItsTokensFromTheFullListing() {
            pve.stubFor(get(API + "/access/users?full=1").willReturn(fixture("access-users-full.json")));

            AccessApi.User u = client.access().user("time-shift@pve").orElseThrow();

            assertEquals(Map.of("api", new AccessApi.Token("api", false), "old", new AccessApi.Token("old", true)), u.tokens());
            assertEquals(Optional.empty(), client.access().user("nobody@pve"));
            pve.verify(exactly(2), getRequestedFor(urlEqualTo(API + "/access/users?full=1")));
        }

        @Test
        void roleWithSortedPrivilegesAndTheAcl() {
            pve.stubFor(get(API + "/access/roles").willReturn(fixture("access-roles.json")));
            pve.stubFor(get(API + "/access/acl").willReturn(fixture("access-acl.json")));

            AccessApi.Role r = client.access().role("TimeShift").orElseThrow();
            List<AccessApi.Acl> acl = client.access().acl();

            assertEquals(List.of("VM.Audit", "VM.Config.Options", "VM.Monitor"), List.copyOf(r.privs()));
            assertEquals(Optional.empty(), client.access().role("Nope"));
            assertEquals(List.of(new AccessApi.Acl("/", "user", "time-shift@pve", "TimeShift", true),
                    new AccessApi.Acl("/storage/local", "token", "time-shift@pve!api", "PVEAuditor", false)), acl);
        }

        @Test
        void permissionsOnOnePathWithTheirPropagateFlag() {
            pve.stubFor(get(API + "/access/permissions?path=%2Fstorage%2Flocal").willReturn(fixture("access-permissions-storage.json")));
            pve.stubFor(get(API + "/access/permissions?path=%2Fstorage%2Fnfs").willReturn(json(200, "{\"data\":{}}")));

            Map<String, Boolean> local = client.access().permissions("/storage/local");
            Map<String, Boolean> nfs = client.access().permissions("/storage/nfs");

            assertEquals(Map.of("Datastore.Allocate", true, "Datastore.Audit", false, "Datastore.AllocateSpace", true), local);
            assertTrue(local.containsKey("Datastore.Audit"), "held without propagate is still held");
            assertEquals(Map.of(), nfs, "PVE answers {} when nothing is granted on the path");
        }

        @Test
        void writesAreOneFormEncodedRequestEach() {
            pve.stubFor(post(API + "/access/users").willReturn(nullData()));
            pve.stubFor(post(API + "/access/roles").willReturn(nullData()));
            pve.stubFor(put(API + "/access/roles/TimeShift").willReturn(nullData()));
            pve.stubFor(put(API + "/access/acl").willReturn(nullData()));
            pve.stubFor(put(API + "/access/users/time-shift%40pve/token/api").willReturn(nullData()));
            pve.stubFor(delete(API + "/access/users/time-shift%40pve/token/api").willReturn(nullData()));
            TreeSet<String> privs = new TreeSet<>(List.of("VM.Monitor", "VM.Audit"));

            AccessApi a = client.access();
            a.createUser("time-shift@pve", "time-shift-proxmox service account");
            a.createRole("TimeShift", privs);
            a.setRolePrivs("TimeShift", privs);
            a.grant("/", "time-shift@pve", "TimeShift");
            a.setTokenPrivsep("time-shift@pve", "api", false);
            a.deleteToken("time-shift@pve", "api");

            pve.verify(exactly(1), postRequestedFor(urlEqualTo(API + "/access/users")).withHeader("Content-Type", equalTo(FORM))
                    .withRequestBody(equalTo("userid=time-shift%40pve&comment=time-shift-proxmox+service+account")));
            pve.verify(exactly(1), postRequestedFor(urlEqualTo(API + "/access/roles"))
                    .withRequestBody(equalTo("roleid=TimeShift&privs=VM.Audit%2CVM.Monitor")));
            pve.verify(exactly(1), putRequestedFor(urlEqualTo(API + "/access/roles/TimeShift"))
                    .withRequestBody(equalTo("privs=VM.Audit%2CVM.Monitor")));
            pve.verify(exactly(1), putRequestedFor(urlEqualTo(API + "/access/acl"))
                    .withRequestBody(equalTo("path=%2F&users=time-shift%40pve&roles=TimeShift&propagate=1")));
            pve.verify(exactly(1), putRequestedFor(urlEqualTo(API + "/access/users/time-shift%40pve/token/api"))
                    .withRequestBody(equalTo("privsep=0")));
            pve.verify(exactly(1), deleteRequestedFor(urlEqualTo(API + "/access/users/time-shift%40pve/token/api")));
        }

        @Test
        void createTokenReturnsTheSecretPveShowsOnce() {
            pve.stubFor(post(API + "/access/users/time-shift%40pve/token/api").willReturn(fixture("access-token-created.json")));

            Secret s = client.access().createToken("time-shift@pve", "api", "time-shift-proxmox");

            assertEquals("0b7e3a4c-9d21-4f5e-8a6b-7c8d9e0f1a2b", s.reveal());
            pve.verify(exactly(1), postRequestedFor(urlEqualTo(API + "/access/users/time-shift%40pve/token/api"))
                    .withRequestBody(equalTo("privsep=0&comment=time-shift-proxmox")));
        }
    }

    @Nested
    class Nodes {
        @Test
        void qemuListGivesEachVmsStatusAndUptime() {
            pve.stubFor(get(API + "/nodes/pve1/qemu").willReturn(fixture("qemu-list.json")));

            List<QemuListEntry> vms = client.node("pve1").qemuList();

            assertEquals(List.of(new QemuListEntry(105, "running", 3725), new QemuListEntry(106, "stopped", 0),
                    new QemuListEntry(107, "running", 0)), vms);
            assertTrue(vms.get(0).running());
            assertFalse(vms.get(1).running());
        }

        @Test
        void storageContentIsOnePutWithTheDigest() {
            pve.stubFor(put(API + "/storage/local").willReturn(nullData()));

            client.setStorageContent("local", "iso,vztmpl,backup,snippets", "4f7c1b2a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b");
            client.setStorageContent("local", "snippets", null);

            pve.verify(exactly(1), putRequestedFor(urlEqualTo(API + "/storage/local")).withHeader("Content-Type", equalTo(FORM))
                    .withRequestBody(equalTo("content=iso%2Cvztmpl%2Cbackup%2Csnippets&digest=4f7c1b2a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b")));
            pve.verify(exactly(1), putRequestedFor(urlEqualTo(API + "/storage/local")).withRequestBody(equalTo("content=snippets")));
        }
    }

    /** The re-arm's call: what {@code qm set <vmid> --startdate X} runs (qemu-server update_vm, PUT). */
    @Nested
    class Startdate {
        static final String CONFIG = API + "/nodes/pve1/qemu/105/config";

        @Test
        void isOneSynchronousPutOfStartdate() {
            pve.stubFor(put(CONFIG).willReturn(nullData()));

            client.node("pve1").qemu(105).updateConfig(ConfigUpdate.builder().set("startdate", "2021-03-01T17:00:00").build());

            pve.verify(exactly(1), putRequestedFor(urlEqualTo(CONFIG)).withHeader("Content-Type", equalTo(FORM))
                    .withRequestBody(equalTo("startdate=2021-03-01T17%3A00%3A00")));
        }

        @Test
        void aLockTimeoutIsTheLockTimeoutConflictAndIsNotResentByTheClient() {
            pve.stubFor(put(CONFIG).willReturn(pveError(500, "error-500-lock-timeout.json")));

            PveConflictException e = assertThrows(PveConflictException.class, () -> client.node("pve1").qemu(105)
                    .updateConfig(ConfigUpdate.builder().set("startdate", "2021-03-01T17:00:00").build()));

            assertEquals(PveConflictException.Reason.LOCK_TIMEOUT, e.reason());
            pve.verify(exactly(1), putRequestedFor(urlEqualTo(CONFIG)));
        }

        @Test
        void aVmLockedForABackupIsTheLockedConflict() {
            pve.stubFor(put(CONFIG).willReturn(pveError(500, "error-500-locked-backup.json")));

            PveConflictException e = assertThrows(PveConflictException.class, () -> client.node("pve1").qemu(105)
                    .updateConfig(ConfigUpdate.builder().set("startdate", "2021-03-01T17:00:00").build()));

            assertEquals(PveConflictException.Reason.LOCKED, e.reason());
            assertEquals("VM is locked (backup)", e.failure().pveMessage().strip());
        }
    }
}

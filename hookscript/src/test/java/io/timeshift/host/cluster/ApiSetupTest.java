package io.timeshift.host.cluster;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.timeshift.host.cli.Cli;
import io.timeshift.host.cli.Services;
import io.timeshift.testsupport.FakeMonotonic;
import io.timeshift.pve.qga.testing.FakeQemuGa;
import io.timeshift.testsupport.MutableClock;
import io.timeshift.host.testing.TempHost;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code time-shift api-setup}: the service account, created once, never twice, secret never shown. */
class ApiSetupTest {
    @RegisterExtension
    static WireMockExtension pve = PveApi.https();

    private static final String API = PveApi.API;
    /** The secret in {@code access-token-created.json}. */
    private static final String NEW_SECRET = "8d6c2a44-5a0e-4f4b-9b8e-2f1d7c3e9a10";
    private static final String TOKEN_PATH = API + "/access/users/time-shift(@|%40)pve/token/time-shift";

    @TempDir
    Path dir;

    private TempHost node;
    private Path tokenFile;
    private String out;
    private String err;

    @BeforeEach
    void node() {
        node = new TempHost(dir);
        tokenFile = node.paths().pveDir().resolve("priv").resolve("time-shift-token");
    }

    private int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        MutableClock clock = new MutableClock(ClusterScenario.T0);
        Services services = new Services(node.paths(), Map.of(), clock, new FakeMonotonic(),
                new FakeQemuGa(clock, new FakeMonotonic())::client, PveApi.clients(node.paths(), pve.getHttpsPort()));
        int code = Cli.run(services, new PrintWriter(o, true), new PrintWriter(e, true), args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    /** A cluster without the account: only root@pam, built-in roles, no ACLs. */
    private static void freshCluster(String version) {
        pve.stubFor(get(urlPathEqualTo(API + "/version")).willReturn(PveApi.fixture(version)));
        pve.stubFor(get(urlPathEqualTo(API + "/access/users")).willReturn(PveApi.fixture("access-users-root-only.json")));
        pve.stubFor(get(urlPathEqualTo(API + "/access/roles")).willReturn(PveApi.fixture("access-roles-builtin.json")));
        pve.stubFor(get(urlPathEqualTo(API + "/access/acl")).willReturn(PveApi.fixture("access-acl-empty.json")));
        writesAccepted();
    }

    /** A cluster where a first api-setup (on PVE 8) has run. */
    private static void setUpCluster() {
        pve.stubFor(get(urlPathEqualTo(API + "/version")).willReturn(PveApi.fixture("version.json")));
        pve.stubFor(get(urlPathEqualTo(API + "/access/users")).willReturn(PveApi.fixture("access-users-with-time-shift.json")));
        pve.stubFor(get(urlPathEqualTo(API + "/access/roles")).willReturn(PveApi.fixture("access-roles-with-time-shift-pve8.json")));
        pve.stubFor(get(urlPathEqualTo(API + "/access/acl")).willReturn(PveApi.fixture("access-acl-with-time-shift.json")));
        writesAccepted();
    }

    private static void writesAccepted() {
        pve.stubFor(post(urlPathEqualTo(API + "/access/users")).willReturn(PveApi.nullData()));
        pve.stubFor(post(urlPathEqualTo(API + "/access/roles")).willReturn(PveApi.nullData()));
        pve.stubFor(put(urlPathMatching(API + "/access/roles/TimeShift")).willReturn(PveApi.nullData()));
        pve.stubFor(put(urlPathEqualTo(API + "/access/acl")).willReturn(PveApi.nullData()));
        pve.stubFor(post(urlPathMatching(TOKEN_PATH)).willReturn(PveApi.fixture("access-token-created.json")));
        pve.stubFor(delete(urlPathMatching(TOKEN_PATH)).willReturn(PveApi.nullData()));
    }

    private static long writes() {
        return pve.findAll(anyRequestedFor(anyUrl())).stream().map(LoggedRequest::getMethod)
                .filter(m -> !m.getName().equals("GET")).count();
    }

    private void secretNeverShown() {
        assertFalse(out.contains(NEW_SECRET), out);
        assertFalse(err.contains(NEW_SECRET), err);
        assertFalse(out.contains(ClusterScenario.TOKEN_SECRET) || err.contains(ClusterScenario.TOKEN_SECRET));
    }

    private String tokenFileMode() throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile));
    }

    @Nested
    class FirstRun {
        @BeforeEach
        void pve8WithoutTheAccount() {
            freshCluster("version.json");
        }

        @Test
        void withoutYesAndWithoutATerminalItShowsThePlanExits2AndWritesNothing() {
            assertEquals(2, run("api-setup"));

            assertTrue(out.contains("Would:") && out.contains("create user time-shift@pve")
                    && out.contains("create role TimeShift") && out.contains("create API token time-shift@pve!time-shift"), out);
            assertTrue(err.contains("--yes"), err);
            assertEquals(0, writes());
            assertFalse(Files.exists(tokenFile));
        }

        @Test
        void createsUserRoleAclAndAPrivsep0Token() {
            assertEquals(0, run("api-setup", "--yes"), err);

            pve.verify(1, postRequestedFor(urlPathEqualTo(API + "/access/users"))
                    .withRequestBody(containing("userid=time-shift%40pve")));
            pve.verify(1, postRequestedFor(urlPathEqualTo(API + "/access/roles")).withRequestBody(containing(
                    "privs=Datastore.Audit%2CSys.Audit%2CVM.Audit%2CVM.Config.Options%2CVM.Monitor")));
            pve.verify(1, putRequestedFor(urlPathEqualTo(API + "/access/acl"))
                    .withRequestBody(containing("path=%2F")).withRequestBody(containing("users=time-shift%40pve"))
                    .withRequestBody(containing("roles=TimeShift")).withRequestBody(containing("propagate=1")));
            pve.verify(1, postRequestedFor(urlPathMatching(TOKEN_PATH)).withRequestBody(containing("privsep=0")));
            assertEquals(4, writes(), "user, role, ACL, token: nothing else");
        }

        @Test
        void storesTheSecretRootOnlyAndNeverPrintsIt() throws IOException {
            assertEquals(0, run("api-setup", "--yes"), err);

            assertEquals("time-shift@pve!time-shift=" + NEW_SECRET + "\n", Files.readString(tokenFile, StandardCharsets.UTF_8));
            assertEquals("rw-------", tokenFileMode());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile.getParent())));
            secretNeverShown();
            assertEquals(PreferredTransport.Kind.TOKEN, PreferredTransport.choose(node.paths()).kind());
        }

        @Test
        void aTokenCreationWhoseAnswerIsLostIsNeverSentAgain() {
            // the token may exist now; a second POST would fail ("already exists") or, worse, hide which secret is valid
            pve.stubFor(post(urlPathMatching(TOKEN_PATH)).atPriority(1)
                    .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                            .withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));

            assertEquals(3, run("api-setup", "--yes"));

            pve.verify(1, postRequestedFor(urlPathMatching(TOKEN_PATH)));
            assertFalse(Files.exists(tokenFile));
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.contains("may have been created") && err.contains("--rotate"), err);
        }

        @Test
        void onPve9TheRoleGetsGuestAgentAuditInsteadOfVmMonitor() {
            freshCluster("version-9.json");

            assertEquals(0, run("api-setup", "--yes"), err);

            pve.verify(1, postRequestedFor(urlPathEqualTo(API + "/access/roles"))
                    .withRequestBody(containing("VM.GuestAgent.Audit")).withRequestBody(notContaining("VM.Monitor")));
            assertTrue(out.contains("VM.GuestAgent.Audit"), out);
        }
    }

    @Nested
    class SecondRun {
        @BeforeEach
        void afterAFirstRun() {
            freshCluster("version.json");
            assertEquals(0, run("api-setup", "--yes"), err);
            pve.resetAll();
            setUpCluster();
        }

        @Test
        void findsEverythingPresentAndMakesZeroWrites() throws IOException {
            String before = Files.readString(tokenFile);

            assertEquals(0, run("api-setup", "--yes"), err);

            assertEquals(0, writes(), "no POST, PUT or DELETE");
            pve.verify(0, postRequestedFor(anyUrl()));
            pve.verify(0, putRequestedFor(anyUrl()));
            pve.verify(0, deleteRequestedFor(anyUrl()));
            assertTrue(out.contains("Nothing changed"), out);
            assertEquals(before, Files.readString(tokenFile));
        }

        @Test
        void withoutYesItAlsoSucceedsWhenThereIsNothingToDo() {
            assertEquals(0, run("api-setup"), err);
            assertEquals(0, writes());
        }

        @Test
        void aMissingTokenFileCannotBeRecoveredAndPointsToRotate() throws IOException {
            Files.delete(tokenFile);

            assertEquals(3, run("api-setup", "--yes"));

            assertEquals(1, err.lines().count(), err);
            assertTrue(err.contains("cannot be read back") && err.contains("--rotate"), err);
            assertEquals(0, writes());
        }

        @Test
        void rotateDeletesAndRecreatesTheTokenAndStoresTheNewSecret() throws IOException {
            Files.writeString(tokenFile, ClusterScenario.TOKEN_LINE + "\n");

            assertEquals(0, run("api-setup", "--rotate", "--yes"), err);

            pve.verify(1, deleteRequestedFor(urlPathMatching(TOKEN_PATH)));
            pve.verify(1, postRequestedFor(urlPathMatching(TOKEN_PATH)));
            assertEquals(2, writes());
            assertEquals("time-shift@pve!time-shift=" + NEW_SECRET + "\n", Files.readString(tokenFile));
            assertEquals("rw-------", tokenFileMode());
            secretNeverShown();
        }

        @Test
        void aTokenFileReadableByOthersIsSetBackTo0600WithoutApiWrites() throws IOException {
            Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-r--r--"));

            assertEquals(0, run("api-setup", "--yes"), err);

            assertEquals("rw-------", tokenFileMode());
            assertEquals(0, writes());
        }

        @Test
        void aRoleWithExtraPrivilegesIsSetBackToExactlyOurs() {
            pve.stubFor(get(urlPathEqualTo(API + "/access/roles")).willReturn(PveApi.json(200,
                    "{\"data\":[{\"roleid\":\"TimeShift\",\"special\":0,\"privs\":\"Datastore.Audit,Sys.Audit,VM.Audit,"
                            + "VM.Config.Options,VM.Monitor,VM.PowerMgmt\"}]}")));

            assertEquals(0, run("api-setup", "--yes"), err);

            assertTrue(out.contains("removes VM.PowerMgmt"), out);
            pve.verify(1, putRequestedFor(urlPathEqualTo(API + "/access/roles/TimeShift")).withRequestBody(containing(
                    "privs=Datastore.Audit%2CSys.Audit%2CVM.Audit%2CVM.Config.Options%2CVM.Monitor")));
            assertEquals(1, writes());
        }
    }

    @Test
    void listsEachPrivilegeWithWhy() {
        List<ApiSetupService.Privilege> p8 = ApiSetupService.privileges(8);
        assertEquals(List.of("Datastore.Audit", "Sys.Audit", "VM.Audit", "VM.Config.Options", "VM.Monitor"),
                p8.stream().map(ApiSetupService.Privilege::name).toList());
        assertTrue(p8.stream().allMatch(p -> !p.why().isBlank()));
        assertEquals("VM.GuestAgent.Audit", ApiSetupService.privileges(9).get(4).name());
    }
}

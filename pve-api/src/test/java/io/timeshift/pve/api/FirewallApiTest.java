package io.timeshift.pve.api;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.timeshift.pve.api.support.PveServer.API;
import static io.timeshift.pve.api.support.PveServer.fixture;
import static io.timeshift.pve.api.support.PveServer.nullData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.timeshift.pve.api.retry.RetryConfig;
import io.timeshift.pve.api.support.PveServer;
import io.timeshift.pve.api.support.TestCerts;
import io.timeshift.pve.api.transport.ApiToken;
import io.timeshift.pve.api.transport.HttpsTransport;
import io.timeshift.pve.api.transport.Secret;
import io.timeshift.pve.api.transport.TlsTrust;
import io.timeshift.common.error.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A VM's firewall over HTTPS (what isolation uses remotely), against answers in pve-firewall's shapes. */
class FirewallApiTest {
    @RegisterExtension
    static WireMockExtension pve = PveServer.https();

    static final String FW = API + "/nodes/pve1/qemu/105/firewall";
    PveClient client;
    FirewallApi fw;

    @BeforeEach
    void connect() {
        client = PveClient.over(HttpsTransport.builder()
                .endpoint("https://localhost:" + pve.getHttpsPort())
                .credentials(new ApiToken("time-shift@pve!api", Secret.of("0b7e3a4c-9d21-4f5e-8a6b-7c8d9e0f1a2b")))
                .trust(TlsTrust.caFile(TestCerts.get().caPem))
                .build(), RetryConfig.noDelays());
        fw = FirewallApi.vm(client, "pve1", 105);
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Nested
    class Reading {
        @Test
        void optionsAreTextWithoutTheDigestAndAbsentOptionsAreMissing() {
            pve.stubFor(get(FW + "/options").willReturn(fixture("firewall-vm-options.json")));
            FirewallApi.Options o = fw.options();
            assertEquals(Map.of("dhcp", "1", "enable", "1", "policy_out", "DROP"), o.values());
            assertEquals("4b1e6d2f0a9c8e7d6c5b4a39281706f5e4d3c2b1", o.digest());
            assertTrue(o.flag("enable", false));
            assertFalse(o.flag("ipfilter", false));
        }

        @Test
        void theDatacenterFirewallWithoutEnableIsOff() {
            pve.stubFor(get(API + "/cluster/firewall/options").willReturn(fixture("firewall-cluster-options.json")));
            assertFalse(FirewallApi.clusterOptions(client).flag("enable", false));
        }

        @Test
        void rulesCarryTheirPositionAndTheListsDigest() {
            pve.stubFor(get(FW + "/rules").willReturn(fixture("firewall-vm-rules.json")));
            List<FirewallApi.Rule> rules = fw.rules();
            assertEquals(2, rules.size());
            assertEquals(1, rules.get(1).pos());
            assertEquals("SSH", rules.get(1).get("macro"));
            assertEquals("+time-shift-bmc", rules.get(0).get("dest"));
            assertEquals("1", rules.get(0).get("enable"));
            assertEquals("7e2d4c6b8a0f1e3d5c7b9a2f4e6d8c0b1a3f5e7d", rules.get(0).digest());
            assertFalse(rules.get(0).fields().containsKey("digest"));
        }

        @Test
        void ipsetsAreListedByName() {
            pve.stubFor(get(FW + "/ipset").willReturn(fixture("firewall-vm-ipsets.json")));
            List<FirewallApi.IpSet> sets = fw.ipsets();
            assertEquals(List.of("office", "time-shift-bmc"), sets.stream().map(FirewallApi.IpSet::name).toList());
            assertEquals("the admin's own", sets.get(0).comment());
        }
    }

    @Nested
    class Writing {
        @Test
        void optionsGoOutFormEncodedWithDeleteAndDigest() {
            pve.stubFor(put(FW + "/options").willReturn(nullData()));
            fw.setOptions(Map.of("policy_out", "ACCEPT"), List.of("enable"), "4b1e");
            pve.verify(exactly(1), putRequestedFor(urlEqualTo(FW + "/options"))
                    .withRequestBody(equalTo("policy_out=ACCEPT&delete=enable&digest=4b1e")));
        }

        @Test
        void aRuleIsPostedWithItsFields() {
            pve.stubFor(post(FW + "/rules").willReturn(nullData()));
            Map<String, String> r = new LinkedHashMap<>();
            r.put("type", "out");
            r.put("action", "ACCEPT");
            r.put("dest", "+time-shift-bmc");
            r.put("proto", "tcp");
            r.put("dport", "443");
            r.put("enable", "1");
            fw.createRule(r);
            pve.verify(exactly(1), postRequestedFor(urlEqualTo(FW + "/rules"))
                    .withRequestBody(equalTo("type=out&action=ACCEPT&dest=%2Btime-shift-bmc&proto=tcp&dport=443&enable=1")));
        }

        @Test
        void deletesNameThePositionAndForceTheIpSet() {
            pve.stubFor(delete(urlPathEqualTo(FW + "/rules/3")).willReturn(nullData()));
            pve.stubFor(delete(urlPathEqualTo(FW + "/ipset/time-shift-bmc")).willReturn(nullData()));
            fw.deleteRule(3, "7e2d");
            fw.deleteIpset("time-shift-bmc");
            pve.verify(exactly(1), deleteRequestedFor(urlPathEqualTo(FW + "/rules/3")).withQueryParam("digest", equalTo("7e2d")));
            pve.verify(exactly(1), deleteRequestedFor(urlPathEqualTo(FW + "/ipset/time-shift-bmc"))
                    .withQueryParam("force", equalTo("1")));
        }

        @Test
        void ipsetNamesFollowPveFirewallsFormat() {
            assertEquals("time-shift-bmc", FirewallApi.ipsetName("time-shift-bmc"));
            for (String bad : new String[] {"x", "1abc", "a b", "a/b", "+set", "a".repeat(65)}) {
                assertThrows(InvalidInputException.class, () -> FirewallApi.ipsetName(bad), bad);
            }
        }
    }
}

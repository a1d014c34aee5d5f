package io.timeshift.host.admin;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code firewall} option of a {@code netN} value: only that option changes, every other byte stays. */
class NicFirewallTest {
    /** netN values as qemu-server writes them: model=MAC first, then key=value options, none of them firewall. */
    @Provide
    Arbitrary<String> nets() {
        Arbitrary<String> model = Arbitraries.of("virtio", "e1000", "vmxnet3", "rtl8139");
        Arbitrary<String> mac = Arbitraries.strings().withChars("0123456789ABCDEF").ofLength(2).list().ofSize(6)
                .map(l -> String.join(":", l));
        Arbitrary<String> option = Combinators.combine(
                Arbitraries.of("bridge", "tag", "link_down", "mtu", "queues", "rate", "trunks", "macaddr"),
                Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789;.-_ ").ofMinLength(0).ofMaxLength(12))
                .as((k, v) -> k + "=" + v);
        return Combinators.combine(model, mac, option.list().ofMaxSize(5))
                .as((m, a, opts) -> opts.isEmpty() ? m + "=" + a : m + "=" + a + "," + String.join(",", opts));
    }

    @Property
    void addingAppendsExactlyFirewallOneAndKeepsTheRest(@ForAll("nets") String net) {
        assertEquals(net + ",firewall=1", NicFirewall.withFirewall(net));
        assertTrue(NicFirewall.enabled(NicFirewall.withFirewall(net)));
    }

    @Property
    void restoringWhatIsolationMadeGivesBackTheValueByteForByte(@ForAll("nets") String net,
                                                               @ForAll("firewallOption") String fw) {
        String before = fw.isEmpty() ? net : net + "," + fw;
        assertEquals(before, NicFirewall.restore(before, NicFirewall.withFirewall(before)));
    }

    @Provide
    Arbitrary<String> firewallOption() {
        return Arbitraries.of("", "firewall=0", "firewall=1", "firewall=no");
    }

    @Example
    void anExistingFirewallZeroIsTurnedOnInItsPlace() {
        assertEquals("virtio=BC:24:11:00:00:01,firewall=1,bridge=vmbr0",
                NicFirewall.withFirewall("virtio=BC:24:11:00:00:01,firewall=0,bridge=vmbr0"));
    }

    @Example
    void aNicEditedSinceOnlyLosesTheFirewallOption() {
        assertEquals("virtio=BC:24:11:00:00:01,bridge=vmbr7",
                NicFirewall.restore("virtio=BC:24:11:00:00:01,bridge=vmbr0", "virtio=BC:24:11:00:00:01,bridge=vmbr7,firewall=1"));
        assertEquals("virtio=BC:24:11:00:00:01,firewall=0,bridge=vmbr7",
                NicFirewall.restore("virtio=BC:24:11:00:00:01,firewall=0,bridge=vmbr0",
                        "virtio=BC:24:11:00:00:01,firewall=1,bridge=vmbr7"));
    }

    @Example
    void pveBooleansCount() {
        for (String on : List.of("firewall=1", "firewall=true", "firewall=on", "firewall=yes")) {
            assertTrue(NicFirewall.enabled("virtio=BC:24:11:00:00:01," + on), on);
        }
        assertFalse(NicFirewall.enabled("virtio=BC:24:11:00:00:01,firewall=0"));
        assertFalse(NicFirewall.enabled("virtio=BC:24:11:00:00:01"));
    }
}

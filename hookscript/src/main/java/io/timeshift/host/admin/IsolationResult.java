package io.timeshift.host.admin;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What {@link IsolationService} did; {@code warnings}: the change stands, something around it did not work. */
public final class IsolationResult {
    private IsolationResult() {
    }

    /**
     * VM {@code vmid} is isolated: outbound traffic only to {@code members} on tcp {@code ports} and DNS to
     * {@code dns}; {@code record} is what the policy now records as {@code original.firewall}.
     */
    public record On(int vmid, List<String> members, Set<Integer> ports, List<String> dns, Map<String, Object> record,
                     List<String> warnings) {
        public On {
            members = List.copyOf(members);
            ports = Collections.unmodifiableSortedSet(new TreeSet<>(ports)); // in port order
            dns = List.copyOf(dns);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * VM {@code vmid}'s isolation is undone: {@code restored} in the firewall, {@code config} the
     * NICs' config update (key to new value; empty when there was none).
     */
    public record Off(int vmid, Isolation.Restored restored, Map<String, String> config, List<String> warnings) {
        public Off {
            warnings = List.copyOf(warnings);
        }
    }
}

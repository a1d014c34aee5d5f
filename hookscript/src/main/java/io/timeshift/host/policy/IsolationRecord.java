package io.timeshift.host.policy;

import java.util.List;
import java.util.Map;

/**
 * Reading the isolation record a policy carries ({@code original.firewall}, written by
 * {@code admin.Isolation}): whether the VM is isolated and how status shows it.
 */
public final class IsolationRecord {
    private IsolationRecord() {
    }

    /** Whether a policy records isolation. */
    public static boolean isolated(Policy p) {
        return p != null && p.original().firewall() != null;
    }

    /** One-word isolation state for status: "isolated (2 BMC addresses)" or "not isolated". */
    public static String statusText(Policy p) {
        if (!isolated(p)) {
            return "not isolated";
        }
        int members = countStrings(p.original().firewall());
        return "isolated (firewall: " + members + " BMC address" + (members == 1 ? "" : "es") + ", outbound DROP)";
    }

    private static int countStrings(Map<String, Object> record) {
        int n = 0;
        if (record.get("members") instanceof List<?> l) {
            for (Object x : l) {
                if (x instanceof String) {
                    n++;
                }
            }
        }
        return n;
    }
}

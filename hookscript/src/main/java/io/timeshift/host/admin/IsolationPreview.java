package io.timeshift.host.admin;

import io.timeshift.host.policy.Policy;
import io.timeshift.host.vmconfig.ConfigChange;
import io.timeshift.pve.api.VmConfigView;

import java.util.List;
import java.util.Map;

/**
 * What isolating a VM ({@code isolate <vmid> on}, {@code enable --isolate}) or undoing it
 * ({@code isolate <vmid> off}) will change, from {@link IsolationService}, for the cli to show before it asks.
 */
public final class IsolationPreview {
    private IsolationPreview() {
    }

    /**
     * The datacenter firewall, without which no VM firewall takes effect: on, off, or unreadable
     * ({@code unreadable}: why, one line; null when it was read).
     */
    public record Cluster(boolean on, String unreadable) {
        public static final Cluster ON = new Cluster(true, null);
        public static final Cluster OFF = new Cluster(false, null);

        public static Cluster unreadable(String why) {
            return new Cluster(false, why);
        }
    }

    /**
     * The changes to VM {@code vmid}'s firewall and NICs ({@code plan}) and the datacenter firewall's state
     * ({@code cluster}; null when it was not looked at).
     */
    public record Firewall(int vmid, Isolation.Plan plan, Cluster cluster) {
    }

    /**
     * {@code isolate <vmid> on}: {@code firewall} the changes; a VM that is isolated {@code already} has its
     * entries made again, after the old ones are removed ({@code undo}; null when not isolated).
     */
    public static final class On {
        private final Firewall firewall;
        private final Isolation.Undo undo;
        // what IsolationService#on needs to make the changes
        final Policy policy;
        final String text;
        final Isolation.Desired desired;
        final Map<String, Object> previous;
        final VmConfigView conf;

        On(Firewall firewall, Isolation.Undo undo, Policy policy, String text, Isolation.Desired desired,
           Map<String, Object> previous, VmConfigView conf) {
            this.firewall = firewall;
            this.undo = undo;
            this.policy = policy;
            this.text = text;
            this.desired = desired;
            this.previous = previous;
            this.conf = conf;
        }

        public int vmid() {
            return firewall.vmid();
        }

        public boolean already() {
            return previous != null;
        }

        /** What is undone before the entries are made again; null when the VM is not isolated. */
        public Isolation.Undo undo() {
            return undo;
        }

        public Firewall firewall() {
            return firewall;
        }
    }

    /** {@code isolate <vmid> off}: nothing to undo, or the undoing. */
    public sealed interface Off permits NotIsolated, Undo {
        int vmid();
    }

    /** The policy records no isolation: nothing to do (exit 0). */
    public record NotIsolated(int vmid) implements Off {
    }

    /**
     * Undoing VM {@code vmid}'s isolation: the firewall entries ({@code firewall}) and one config update of the NICs checked against {@code digest}
     * ({@code configLines}: {@link ConfigChange#diff}, empty for no change).
     */
    public static final class Undo implements Off {
        private final int vmid;
        private final Isolation.Undo firewall;
        private final String digest;
        private final List<String> configLines;
        // what IsolationService#off needs to make the changes
        final Policy policy;
        final String text;
        final Map<String, Object> record;
        final ConfigChange change;

        Undo(int vmid, Isolation.Undo firewall, String digest, Policy policy, String text, Map<String, Object> record,
             ConfigChange change) {
            this.vmid = vmid;
            this.firewall = firewall;
            this.digest = digest;
            this.configLines = List.copyOf(change.diff("  "));
            this.policy = policy;
            this.text = text;
            this.record = record;
            this.change = change;
        }

        @Override
        public int vmid() {
            return vmid;
        }

        public Isolation.Undo firewall() {
            return firewall;
        }

        public String digest() {
            return digest;
        }

        public List<String> configLines() {
            return configLines;
        }
    }
}

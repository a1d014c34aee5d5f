package io.timeshift.host.admin;

import io.timeshift.host.policy.Policy;
import io.timeshift.host.vmconfig.ConfigChange;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code time-shift disable <vmid>} will do ({@link DisableService#preview}), for the cli to show
 * before it asks: nothing, the removal of an orphan policy, or the changes to a VM.
 */
public sealed interface DisablePreview permits DisablePreview.NothingToDo, DisablePreview.Orphan, DisablePreview.Changes {
    int vmid();

    /** The policy as {@link DisableService#readPolicy} found it, before anything else is looked at. */
    PolicyRead policy();

    /**
     * The VM's policy file: {@code text} null when there is none. A policy that fails validation is still
     * used: {@code invalid} is why it failed, {@code original} and {@code chain} what its JSON still says
     * (null when unknown).
     */
    record PolicyRead(int vmid, Path file, String text, Policy.Original original, String chain, String invalid) {
        public boolean exists() {
            return text != null;
        }
    }

    /** No policy and no time-shift traces in the config: nothing to do (exit 0). */
    record NothingToDo(int vmid, PolicyRead policy) implements DisablePreview {
    }

    /** The VM does not exist any more; its policy file is left behind. */
    record Orphan(int vmid, PolicyRead policy) implements DisablePreview {
        public Path policyFile() {
            return policy.file();
        }
    }

    /** The guest side of a running VM: turn time sync back on and set the clock, unless {@code keepClock}. */
    record Guest(boolean keepClock, List<String> units) {
    }

    /**
     * The changes to VM {@code vmid} on {@code node}: one config update checked against {@code digest}
     * ({@code configLines}: {@link ConfigChange#diff}, empty for no change), a {@code note} about what is
     * left as it is (or null), the firewall isolation undone ({@code firewallUndo}, null when not
     * isolated), the policy file removed ({@code policyLines}: its lines as removed, empty when there is
     * none), and for a running VM what happens in the guest ({@code guest}, null when stopped).
     * {@code units}: the time-sync units time-shift turned off in the guest.
     */
    final class Changes implements DisablePreview {
        private final PolicyRead policy;
        private final String name;
        private final String node;
        private final boolean running;
        private final String digest;
        private final List<String> configLines;
        private final String note;
        private final Isolation.Undo firewallUndo;
        private final List<String> policyLines;
        private final List<String> units;
        private final boolean keepClock;
        // what DisableService#disable needs to make the changes
        final ConfigChange change;
        final Map<String, Object> firewall;

        Changes(PolicyRead policy, String name, String node, boolean running, String digest, String note,
                Isolation.Undo firewallUndo, List<String> policyLines, List<String> units, boolean keepClock,
                ConfigChange change, Map<String, Object> firewall) {
            this.policy = policy;
            this.name = name;
            this.node = node;
            this.running = running;
            this.digest = digest;
            this.configLines = List.copyOf(change.diff("  "));
            this.note = note;
            this.firewallUndo = firewallUndo;
            this.policyLines = List.copyOf(policyLines);
            this.units = List.copyOf(units);
            this.keepClock = keepClock;
            this.change = change;
            this.firewall = firewall;
        }

        @Override
        public int vmid() {
            return policy.vmid();
        }

        @Override
        public PolicyRead policy() {
            return policy;
        }

        /** The VM's name, or null when it has none. */
        public String name() {
            return name;
        }

        public String node() {
            return node;
        }

        public boolean running() {
            return running;
        }

        public String digest() {
            return digest;
        }

        public List<String> configLines() {
            return configLines;
        }

        public String note() {
            return note;
        }

        /** What undoing the isolation changes in the VM's firewall; null when the VM is not isolated. */
        public Isolation.Undo firewallUndo() {
            return firewallUndo;
        }

        public List<String> policyLines() {
            return policyLines;
        }

        public List<String> units() {
            return units;
        }

        /** What happens in the guest of a running VM; null when the VM is stopped. */
        public Guest guest() {
            return running ? new Guest(keepClock, units) : null;
        }

        public boolean keepClock() {
            return keepClock;
        }
    }
}

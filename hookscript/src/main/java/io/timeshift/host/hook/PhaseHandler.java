package io.timeshift.host.hook;

import io.timeshift.host.policy.Policy;

/** One hook phase for a VM with a valid policy (the chained hookscript has already run). */
interface PhaseHandler {
    /** May throw our typed exceptions; {@link HookService} turns them into the phase's exit policy. */
    Outcome run(int vmid, Policy policy);
}

/** {@code time-shift status} on this node: one row per VM from its policy, state and config. */
package io.timeshift.host.status;

/** A VM's local run state (phase, run, measured offset) under {@code /var/lib/time-shift}. */
package io.timeshift.host.state;

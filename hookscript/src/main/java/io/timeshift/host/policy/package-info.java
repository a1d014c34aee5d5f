/**
 * A VM's time-shift policy ({@code /etc/pve/time-shift/<vmid>.json}): its record, parser, store and the isolation
 * record it carries.
 */
package io.timeshift.host.policy;

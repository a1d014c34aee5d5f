/**
 * A VM's config as time-shift reads and edits it: finding the VM, our hookscript/tag/agent values, one batched
 * change shown as a diff.
 */
package io.timeshift.host.vmconfig;

/**
 * Putting a policy into effect after start: the detached apply worker, the offset model, the pmxcfs clock mirror,
 * re-arming and the guest's time-sync units.
 */
package io.timeshift.host.apply;

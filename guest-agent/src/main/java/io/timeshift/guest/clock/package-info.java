/**
 * {@code verify}: the guest clock against {@code --expect} or the RTC, time-sync units, the
 * systemd epoch. To check something new, add a finding in {@link io.timeshift.guest.clock.ClockVerifier}
 * (problem plus fix, both one line) and, if scripts need it, a field in
 * {@link io.timeshift.guest.clock.VerifyReport}; anything the host owns in {@code policy.json} is
 * read leniently in {@link io.timeshift.common.policy.GuestPolicy}.
 */
package io.timeshift.guest.clock;

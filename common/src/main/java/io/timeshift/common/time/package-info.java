/**
 * Time as the contract writes it, for the host and the guest alike: the one {@code <duration>} and
 * {@code <when>} grammar ({@link io.timeshift.common.time.Durations}, {@link io.timeshift.common.time.Whens}),
 * their bounds ({@link io.timeshift.common.time.TimeBounds}), instants as text
 * ({@link io.timeshift.common.time.Instants}), and the monotonic source every timeout is measured on.
 */
package io.timeshift.common.time;

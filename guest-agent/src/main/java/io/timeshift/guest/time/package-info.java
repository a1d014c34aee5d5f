/** Parsers for the contract's {@code <when>} and {@code <duration>}, and monotonic deadlines. */
package io.timeshift.guest.time;

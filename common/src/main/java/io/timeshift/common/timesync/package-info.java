/** Time sync in a Linux guest: which units can move the clock, and what {@code systemctl show} says about them (host and guest read it the same way). */
package io.timeshift.common.timesync;

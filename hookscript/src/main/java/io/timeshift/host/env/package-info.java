/**
 * This host as the tool sees it: its paths, {@code /etc/time-shift} configuration, node name, whether pmxcfs can
 * take writes, host:port arguments.
 */
package io.timeshift.host.env;

/**
 * {@code time-shift demo} (a checkout only: this module is in no package) and the QEMU drivers it shares with the
 * real-VM tests: a VM booted the way qemu-server boots it, its QMP and agent sockets, the test guest images.
 */
package io.timeshift.host.demo;

/**
 * The one-line time-shift summary kept in a VM's Notes ({@code description}), and whether text survives being
 * passed to pvesh.
 */
package io.timeshift.host.notes;

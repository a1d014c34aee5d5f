/** A problem found on the host or in a guest, with its fix: what doctor and verify report. */
package io.timeshift.host.finding;

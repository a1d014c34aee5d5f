/** The append-only, hash-chained audit log of everything time-shift did, and its reader. */
package io.timeshift.host.audit;

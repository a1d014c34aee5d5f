/** The files the host writes into the guest and the guest reads back: one schema, one reader, one writer. */
package io.timeshift.common.policy;

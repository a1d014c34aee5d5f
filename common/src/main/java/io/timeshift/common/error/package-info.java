/**
 * The exception types of the host and the guest; each direct subclass of
 * {@link io.timeshift.common.error.TimeShiftException} fixes one exit code (1, 2 or 3), mapped nowhere else.
 */
package io.timeshift.common.error;

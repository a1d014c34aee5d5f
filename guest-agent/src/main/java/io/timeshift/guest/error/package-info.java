/** The exception types; each direct subclass of {@link io.timeshift.guest.error.GuestException} fixes one exit code. */
package io.timeshift.guest.error;

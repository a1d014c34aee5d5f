/**
 * picocli commands. They parse and validate arguments (converters show the valid forms), call one
 * service, print through {@code spec.commandLine().getOut()} and return 0 or 1. Failures are typed
 * exceptions; {@link io.timeshift.guest.cli.ErrorHandler} is the only place that prints them and
 * picks the exit code. Never call {@code System.exit}, {@code System.out} or
 * {@code System.setProperty} here.
 */
package io.timeshift.guest.cli;

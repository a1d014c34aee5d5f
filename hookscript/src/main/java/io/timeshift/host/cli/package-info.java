/**
 * The {@code time-shift} command line (picocli): parses argv, calls one service per command and is the only place
 * that renders text or JSON.
 */
package io.timeshift.host.cli;

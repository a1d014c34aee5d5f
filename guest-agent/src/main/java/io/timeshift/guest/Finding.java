package io.timeshift.guest;

/** One problem and what to do about it; text output renders it as one line. */
public record Finding(String problem, String fix) {
}

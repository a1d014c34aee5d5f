package io.timeshift.host.cli;

import io.timeshift.common.error.InvalidInputException;

import java.io.Console;

/**
 * Asks the admin a yes/no question on the terminal. Commands that change things confirm through this
 * unless {@code --yes} is given; without a terminal they refuse (exit 2) instead of guessing.
 */
public interface Prompt {
    /** Whether a person can answer (a terminal is attached). */
    boolean interactive();

    /** Asks {@code question} (ending in "[y/N] "); true only for y/yes. */
    boolean confirm(String question);

    /**
     * Confirmation of a command that changes things: true with {@code --yes}, else the admin's answer to
     * {@code question}; null when there is no terminal to ask on (nothing was asked).
     */
    default Boolean answer(boolean yes, String question) {
        if (yes) {
            return true;
        }
        if (!interactive()) {
            return null;
        }
        return confirm(question);
    }

    /** What {@link #gate} returns when the change may go ahead. */
    int GO = -1;

    /**
     * The gate every changing command passes after showing its changes: a dry run stops here (exit 0),
     * then {@code beforeAsking} runs (a check that must pass before the question, or null), then the
     * admin confirms (or {@code --yes}); "no" stops with exit 1. Each stop prints its one line.
     *
     * @return {@link #GO}, or the exit code to return
     */
    default int gate(boolean dryRun, boolean yes, java.io.PrintWriter out, Runnable beforeAsking) {
        if (dryRun) {
            out.println("dry run: nothing was changed");
            out.flush();
            return 0;
        }
        if (beforeAsking != null) {
            beforeAsking.run();
        }
        if (!require(yes, "Apply? [y/N] ")) {
            out.println("not confirmed; nothing was changed");
            out.flush();
            return 1;
        }
        return GO;
    }

    /** {@link #answer}, refusing with exit 2 when there is no terminal to ask on. */
    default boolean require(boolean yes, String question) {
        Boolean a = answer(yes, question);
        if (a == null) {
            throw new InvalidInputException("no terminal to confirm on: pass --yes to make these changes (or --dry-run to only"
                    + " show them)");
        }
        return a;
    }

    /** The process's terminal ({@link System#console()}). */
    static Prompt system() {
        return new Prompt() {
            @Override
            public boolean interactive() {
                return System.console() != null;
            }

            @Override
            public boolean confirm(String question) {
                Console c = System.console();
                if (c == null) {
                    return false;
                }
                String a = c.readLine("%s", question);
                return a != null && (a.trim().equalsIgnoreCase("y") || a.trim().equalsIgnoreCase("yes"));
            }
        };
    }

    /** No terminal: every change needs --yes. */
    Prompt NONE = new Prompt() {
        @Override
        public boolean interactive() {
            return false;
        }

        @Override
        public boolean confirm(String question) {
            return false;
        }
    };
}

package io.timeshift.host.admin;

/**
 * What a changing command reports while it runs, before its typed result exists: each event is shown
 * as it happens (the cli renders it), so that a later failure or a long wait does not hide it.
 */
public interface Progress {
    /** After a failure, one of the changes made so far was undone ({@link Rollback}): {@code what}. */
    void rolledBack(String what);
}

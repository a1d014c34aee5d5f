package io.timeshift.host.admin;

import io.timeshift.common.error.CheckFailedException;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.pve.api.error.PveConflictException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Rollback}: undoes newest first and returns what it undid as data, with the failure's exit code kept. */
class RollbackTest {
    private final List<String> ran = new ArrayList<>();

    private EnableService.Undo step(String what) {
        return new EnableService.Undo(what, "fix " + what, () -> ran.add(what));
    }

    private static EnableService.Undo failing(String what) {
        return new EnableService.Undo(what, "rm /by/hand", () -> {
            throw new EnvironmentException("disk gone");
        });
    }

    @Nested
    class Steps {
        @Test
        void areUndoneNewestFirstAndReturnedInThatOrder() {
            Deque<EnableService.Undo> undo = new ArrayDeque<>();
            undo.push(step("storage back"));
            undo.push(step("remove the snippet"));
            undo.push(step("remove the policy"));

            Rollback.Failed f = Rollback.run(105, undo, new EnvironmentException("pvesh set failed"));

            assertEquals(List.of("remove the policy", "remove the snippet", "storage back"), ran);
            assertEquals(ran, f.rolledBack());
            assertEquals("pvesh set failed; rolled back, nothing was changed", f.error().getMessage());
            assertTrue(undo.isEmpty());
        }

        @Test
        void oneThatFailsIsNamedWithItsManualFixAndTheOthersStillRun() {
            Deque<EnableService.Undo> undo = new ArrayDeque<>();
            undo.push(step("storage back"));
            undo.push(failing("remove the snippet"));
            undo.push(step("remove the policy"));

            Rollback.Failed f = Rollback.run(105, undo, new EnvironmentException("pvesh set failed"));

            assertEquals(List.of("remove the policy", "storage back"), f.rolledBack());
            assertEquals("pvesh set failed; ROLLBACK INCOMPLETE: could not remove the snippet (disk gone); fix: rm /by/hand",
                    f.error().getMessage());
        }

        @Test
        void aChangeMadeBeforeThemThatNoStepUndoesIsNamedInsteadOfNothingWasChanged() {
            Deque<EnableService.Undo> undo = new ArrayDeque<>();
            undo.push(step("remove the policy"));

            Rollback.Failed f = Rollback.run(105, undo, new EnvironmentException("pvesh create failed"), "the old rules are gone");

            assertEquals(List.of("remove the policy"), f.rolledBack());
            assertEquals("pvesh create failed; rolled back what could be, but the old rules are gone", f.error().getMessage());
        }

        @Test
        void aChangeMadeBeforeThemFollowsAnIncompleteRollback() {
            Deque<EnableService.Undo> undo = new ArrayDeque<>();
            undo.push(failing("remove the snippet"));

            Rollback.Failed f = Rollback.run(105, undo, new EnvironmentException("pvesh set failed"), "the old rules are gone");

            assertEquals("pvesh set failed; ROLLBACK INCOMPLETE: could not remove the snippet (disk gone); fix: rm /by/hand; and"
                    + " the old rules are gone", f.error().getMessage());
        }

        @Test
        void noneAtAllStillSaysNothingWasChanged() {
            Rollback.Failed f = Rollback.run(105, new ArrayDeque<>(), new EnvironmentException("first step failed"));
            assertEquals(List.of(), f.rolledBack());
            assertEquals("first step failed; rolled back, nothing was changed", f.error().getMessage());
        }
    }

    @Nested
    class TheFailure {
        @Test
        void keepsTheExitCodeOfItsCause() {
            assertInstanceOf(InvalidInputException.class, Rollback.run(105, new ArrayDeque<>(), new InvalidInputException("bad")).error());
            assertInstanceOf(CheckFailedException.class, Rollback.run(105, new ArrayDeque<>(), new CheckFailedException("no")).error());
            assertInstanceOf(EnvironmentException.class, Rollback.run(105, new ArrayDeque<>(), new IllegalStateException("x")).error());
            assertEquals(2, Rollback.run(105, new ArrayDeque<>(), new InvalidInputException("bad")).error().exitCode());
        }

        @Test
        void aDigestMismatchSaysTheConfigChangedMeanwhile() {
            PveConflictException c = new PveConflictException("pvesh set /nodes/pve1/qemu/105/config", 500,
                    "checksum mismatch (file change by other user?)", PveConflictException.Reason.DIGEST_MISMATCH);

            Rollback.Failed f = Rollback.run(105, new ArrayDeque<>(), c);

            assertEquals("VM 105 config changed meanwhile (someone edited it after it was read); rolled back, nothing was changed;"
                    + " run again", f.error().getMessage());
            assertSame(c, f.error().getCause(), "--verbose shows the original failure");
        }
    }
}

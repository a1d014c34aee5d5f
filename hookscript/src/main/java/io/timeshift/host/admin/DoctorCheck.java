package io.timeshift.host.admin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One thing {@code time-shift doctor} checks: its verdicts in order, each ok or the problem with its fix
 * ({@link DoctorService.Check}), and, for the checks that have them, notes and warnings that never fail
 * doctor ({@link #outcome()}). A check is given what it needs through its constructor (the inputs
 * {@link DoctorService} reads once: {@link DoctorInputs} on a node, {@link RemoteInputs} through the API)
 * and renders nothing: the CLI does.
 *
 * <p>Add a check by implementing this (a class in {@code admin}, package-private, its verdicts built with
 * {@code DoctorService.ok}/{@code bad}, the fix in one line), listing it in {@link DoctorService#doctor()}
 * and/or {@link DoctorService#doctorRemote} at the place its verdicts belong, and testing its ok and problem
 * verdicts on their own in {@code DoctorChecksTest}.
 */
interface DoctorCheck {
    /** Its verdicts, in order (for a check with notes or warnings, {@code outcome().checks()}). */
    List<DoctorService.Check> run();

    /** Everything it found; only the verdicts unless the check overrides this. */
    default Outcome outcome() {
        return new Outcome(run(), List.of(), List.of());
    }

    /** A check that also has notes or warnings: it writes {@link #outcome()}; its verdicts are the outcome's. */
    abstract class WithNotes implements DoctorCheck {
        @Override
        public final List<DoctorService.Check> run() {
            return outcome().checks();
        }

        @Override
        public abstract Outcome outcome();
    }

    /** A check's verdicts, and its notes and warnings (printed, in the JSON, never exit 1). */
    record Outcome(List<DoctorService.Check> checks, List<String> notes, List<String> warnings) {
        public Outcome {
            checks = Collections.unmodifiableList(new ArrayList<>(checks));
            notes = Collections.unmodifiableList(new ArrayList<>(notes));
            warnings = Collections.unmodifiableList(new ArrayList<>(warnings));
        }
    }
}

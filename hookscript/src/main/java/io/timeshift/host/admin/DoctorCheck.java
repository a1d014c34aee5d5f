package io.timeshift.host.admin;

import java.util.List;

/**
 * One thing {@code time-shift doctor} checks, on its own: its verdicts in order, each ok or the problem
 * with its fix ({@link DoctorService.Check}). Add a check by implementing this and listing it in
 * {@link DoctorService#doctor()}.
 */
interface DoctorCheck {
    List<DoctorService.Check> run();
}

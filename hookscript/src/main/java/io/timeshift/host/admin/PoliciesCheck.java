package io.timeshift.host.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/** Each policy file valid, or the problem and its fix; one whose VM does not exist is an orphan. */
final class PoliciesCheck implements DoctorCheck {
    private final List<DoctorInputs.PolicyFile> files;
    private final IntPredicate vmExists;
    private final String missing;

    /**
     * @param vmExists whether the VM of a policy exists
     * @param missing  how the orphan's VM is missing, for the message ("does not exist")
     */
    PoliciesCheck(List<DoctorInputs.PolicyFile> files, IntPredicate vmExists, String missing) {
        this.files = List.copyOf(files);
        this.vmExists = vmExists;
        this.missing = missing;
    }

    @Override
    public List<DoctorService.Check> run() {
        List<DoctorService.Check> checks = new ArrayList<>();
        for (DoctorInputs.PolicyFile f : files) {
            int id = f.vmid();
            if (f.error() == null) {
                checks.add(DoctorService.ok("policy", f.file() + " is valid"));
            } else {
                checks.add(DoctorService.bad("policy", f.error(), "re-create it: time-shift enable " + id + " --date <when> --yes"));
            }
            if (!vmExists.test(id)) {
                checks.add(DoctorService.bad("orphan", "policy " + f.file() + " belongs to no VM (VM " + id + " " + missing + ")",
                        "time-shift disable " + id + " --yes"));
            }
        }
        return checks;
    }
}

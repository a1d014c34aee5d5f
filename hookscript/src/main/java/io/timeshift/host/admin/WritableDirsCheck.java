package io.timeshift.host.admin;

import io.timeshift.host.env.HostPaths;
import io.timeshift.host.env.Pmxcfs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where time-shift writes can take writes: the policy directory on pmxcfs (read-only without quorum),
 * then the local state and log directories.
 */
final class WritableDirsCheck implements DoctorCheck {
    private final HostPaths paths;

    WritableDirsCheck(HostPaths paths) {
        this.paths = paths;
    }

    @Override
    public List<DoctorService.Check> run() {
        List<DoctorService.Check> checks = new ArrayList<>();
        Path policyDir = paths.policyDir();
        String why = Pmxcfs.probe(Files.isDirectory(policyDir) ? policyDir : paths.pveDir());
        checks.add(why == null ? DoctorService.ok("pmxcfs", (Files.isDirectory(policyDir) ? policyDir : paths.pveDir()) + " is writable")
                : DoctorService.bad("pmxcfs", why + " (without quorum /etc/pve is read-only)", "check the cluster quorum: pvecm status"));
        for (Path dir : List.of(paths.stateDir(), paths.logDir())) {
            if (!Files.isDirectory(dir)) {
                checks.add(DoctorService.bad("dirs", dir + " does not exist (the package creates it)", "mkdir -p " + dir));
                continue;
            }
            String w = Pmxcfs.probe(dir);
            checks.add(w == null ? DoctorService.ok("dirs", dir + " is writable")
                    : DoctorService.bad("dirs", w, "make it writable for root: chmod 0755 " + dir
                    + " (and check the filesystem is not read-only)"));
        }
        return checks;
    }
}

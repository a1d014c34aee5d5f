package io.timeshift.host.admin;

import java.util.List;

/** Proxmox answers: its version and where it runs, or why it could not be asked. */
final class ProxmoxCheck implements DoctorCheck {
    private final String version;
    private final String where;
    private final String error;

    /**
     * @param version the Proxmox VE version, or null when it could not be asked
     * @param where   where it was asked, for the message ("on node pve1", "at https://pve1:8006")
     * @param error   why it could not be asked, or null
     */
    ProxmoxCheck(String version, String where, String error) {
        this.version = version;
        this.where = where;
        this.error = error;
    }

    @Override
    public List<DoctorService.Check> run() {
        return List.of(error == null ? DoctorService.ok("proxmox", "Proxmox VE " + version + " " + where)
                : DoctorService.bad("proxmox", "cannot ask Proxmox: " + error, "run time-shift doctor as root on a Proxmox VE node"));
    }
}

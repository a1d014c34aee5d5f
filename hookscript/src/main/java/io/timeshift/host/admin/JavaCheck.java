package io.timeshift.host.admin;

import java.util.List;

/** The Java runtime doctor runs on is 17 or later. */
final class JavaCheck implements DoctorCheck {
    private final Runtime.Version version;
    private final String home;

    JavaCheck(Runtime.Version version, String home) {
        this.version = version;
        this.home = home;
    }

    /** The runtime running this. */
    static JavaCheck running() {
        return new JavaCheck(Runtime.version(), System.getProperty("java.home"));
    }

    @Override
    public List<DoctorService.Check> run() {
        return List.of(version.feature() >= 17 ? DoctorService.ok("java", "Java " + version + " (" + home + ")")
                : DoctorService.bad("java", "Java " + version + " is too old (17 or later needed)",
                "apt install openjdk-17-jre-headless (Proxmox VE 8) or openjdk-21-jre-headless (Proxmox VE 9)"));
    }
}

package io.timeshift.pve;

import io.timeshift.testsupport.ModuleArchitectureTest;

/** No package cycles; nothing from the modules and libraries this one must not know. */
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.timeshift.pve", "io.timeshift.pve.api..", "io.timeshift.host..", "io.timeshift.guest..", "com.fasterxml..", "org.apache..", "picocli..");
    }
}

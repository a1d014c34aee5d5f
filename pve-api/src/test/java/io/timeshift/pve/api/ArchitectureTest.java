package io.timeshift.pve.api;

import io.timeshift.testsupport.ModuleArchitectureTest;

/** No package cycles; nothing from the modules and libraries this one must not know. */
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.timeshift.pve.api", "io.timeshift.pve.qga..", "io.timeshift.pve.config..", "io.timeshift.host..", "io.timeshift.guest..", "picocli..");
    }
}

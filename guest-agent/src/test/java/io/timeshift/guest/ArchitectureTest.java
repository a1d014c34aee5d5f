package io.timeshift.guest;

import io.timeshift.testsupport.ModuleArchitectureTest;

/** No package cycles; nothing from the modules and libraries this one must not know. */
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.timeshift.guest", "io.timeshift.pve..", "io.timeshift.host..", "org.apache..", "dev.failsafe..");
    }
}

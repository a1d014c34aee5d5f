package io.timeshift.host.demo;

import io.timeshift.testsupport.ModuleArchitectureTest;

/** The demo (one package below io.timeshift.host) never reaches the guest tool's internals. */
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.timeshift.host", "io.timeshift.guest..");
    }
}

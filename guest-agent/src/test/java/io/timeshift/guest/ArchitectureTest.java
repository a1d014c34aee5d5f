package io.timeshift.guest;

import io.timeshift.testsupport.Architecture;
import io.timeshift.testsupport.ModuleArchitectureTest;

import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.io.PrintWriter;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * No package cycles; nothing from the modules and libraries this one must not know; and only the CLI (and
 * {@code Main}, which wires it) writes to a stream: clock, plan, tls, hold and sys return values.
 */
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.timeshift.guest", "io.timeshift.pve..", "io.timeshift.host..", "org.apache..", "dev.failsafe..");
    }

    @Test
    void onlyTheCliWritesToStreams() {
        noClasses().that().resideOutsideOfPackage("io.timeshift.guest.cli..")
                .and().doNotHaveFullyQualifiedName("io.timeshift.guest.Main")
                .should().dependOnClassesThat().areAssignableTo(PrintWriter.class)
                .orShould().dependOnClassesThat().areAssignableTo(PrintStream.class)
                .check(Architecture.mainClasses("io.timeshift.guest"));
    }
}

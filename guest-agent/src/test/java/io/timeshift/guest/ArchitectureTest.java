package io.timeshift.guest;

import com.tngtech.archunit.core.domain.JavaClasses;
import io.timeshift.testsupport.Architecture;
import org.junit.jupiter.api.Test;

/** Issue 12's structure rules for this module's main classes: no package cycles, no reach outside its place in the module graph. */
class ArchitectureTest {
    private static final String ROOT = "io.timeshift.guest";
    private static final JavaClasses MAIN = Architecture.mainClasses(ROOT);

    @Test
    void packagesHaveNoCycles() {
        Architecture.assertNoPackageCycles(MAIN, ROOT);
    }

    @Test
    void dependsOnlyOnWhatItsModuleDeclares() {
        Architecture.assertNoDependencyOn(MAIN, ROOT, "io.timeshift.pve..", "io.timeshift.host..", "org.apache..", "dev.failsafe..");
    }
}

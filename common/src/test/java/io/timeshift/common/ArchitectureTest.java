package io.timeshift.common;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** common is dependency-free (only java.*) and has no package cycles. */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter().importPath(Path.of("target", "classes"));

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.timeshift.common.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void dependsOnNothingButTheJdk() {
        classes().that().resideInAPackage("io.timeshift.common..").should().onlyDependOnClassesThat()
                .resideInAnyPackage("io.timeshift.common..", "java..").check(MAIN);
    }
}

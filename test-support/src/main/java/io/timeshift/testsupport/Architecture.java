package io.timeshift.testsupport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The architecture rules every module's {@code ArchitectureTest} applies to its own main classes:
 * no package cycles, and no dependency on a module or library it must not know.
 */
public final class Architecture {
    private Architecture() {
    }

    /** The main (not test) classes under {@code rootPackage}, from this module's class path. */
    public static JavaClasses mainClasses(String rootPackage) {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS).importPackages(rootPackage);
    }

    /** Fails naming the cycle when the packages directly below {@code rootPackage} depend on each other in a circle. */
    public static void assertNoPackageCycles(JavaClasses classes, String rootPackage) {
        slices().matching(rootPackage + ".(**)").should().beFreeOfCycles().allowEmptyShould(false).check(classes);
    }

    /** Fails naming the offending class when any class under {@code rootPackage} uses one of {@code forbiddenPackages}. */
    public static void assertNoDependencyOn(JavaClasses classes, String rootPackage, String... forbiddenPackages) {
        noClasses().that().resideInAPackage(rootPackage + "..").should().dependOnClassesThat()
                .resideInAnyPackage(forbiddenPackages).allowEmptyShould(true).check(classes);
    }
}

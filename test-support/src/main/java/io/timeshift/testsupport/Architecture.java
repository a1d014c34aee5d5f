package io.timeshift.testsupport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;

/**
 * The architecture rules every module's {@code ArchitectureTest} applies to its own main classes:
 * no package cycles, and no dependency on a module or library it must not know.
 */
public final class Architecture {
    private Architecture() {
    }

    /** This module's main classes ({@code target/classes}; surefire runs in the module's directory). */
    public static JavaClasses mainClasses(String rootPackage) {
        JavaClasses all = new ClassFileImporter().importPath(Path.of("target", "classes"));
        if (all.stream().noneMatch(c -> c.getPackageName().startsWith(rootPackage))) {
            throw new AssertionError("no classes under " + rootPackage + " in " + Path.of("target", "classes").toAbsolutePath());
        }
        return all;
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

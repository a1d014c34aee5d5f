package io.timeshift.host.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hookscript packages by concept (see each package-info): no cycles, and the CLI library only in cli. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackageGraphTest {
    static final String ROOT = "io.timeshift.host";
    static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    }

    @Test
    void theImportSeesTheShippedClassesSoTheRulesBelowAreNotVacuous() {
        assertTrue(main.contain(ROOT + ".hook.HookMain"), "hook.HookMain imported");
        assertTrue(main.contain(ROOT + ".cli.Cli"), "cli.Cli imported");
        assertTrue(main.contain(ROOT + ".admin.DoctorService"), "admin.DoctorService imported");
        assertTrue(main.size() > 100, "only " + main.size() + " classes imported");
    }

    @Nested
    class Packages {
        @Test
        void dependOnEachOtherWithoutCycles() {
            slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(main);
        }
    }

    @Nested
    class Picocli {
        @Test
        void isUsedOnlyByTheCliPackage() {
            noClasses().that().resideOutsideOfPackage(ROOT + ".cli..")
                    .should().dependOnClassesThat().resideInAPackage("picocli..")
                    .check(main);
        }
    }
}

package io.timeshift.host.arch;

import io.timeshift.testsupport.Architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.PrintStream;
import java.io.PrintWriter;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hookscript packages by concept (see each package-info): no cycles, the CLI library only in cli, and
 * the services that return typed reports leave their rendering to cli.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackageGraphTest {
    static final String ROOT = "io.timeshift.host";
    static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = Architecture.mainClasses(ROOT);
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
            Architecture.assertNoPackageCycles(main, ROOT);
        }
    }

    @Nested
    class Rendering {
        /**
         * Services return values (previews, results, reports, {@code StatusRow}, {@code ApplyRecord}); the worker,
         * Notes, Rearm and state code log through {@code io.LogLines}. What writes to a stream: {@code cli} (the
         * admin's terminal), {@code hook} (a hook phase's stderr is Proxmox's task log), {@code Main}, and
         * {@code io.PrintStreamLines}, the one {@code LogLines} over a stream.
         */
        @Test
        void writesToStreamsOnlyInCliHookMainAndTheOneLogSinkOverAStream() {
            noClasses().that().resideOutsideOfPackages(ROOT + ".cli..", ROOT + ".hook..")
                    .and().doNotHaveFullyQualifiedName(ROOT + ".Main")
                    .and().doNotHaveFullyQualifiedName(ROOT + ".io.PrintStreamLines")
                    .should().dependOnClassesThat().areAssignableTo(PrintWriter.class)
                    .orShould().dependOnClassesThat().areAssignableTo(PrintStream.class)
                    .check(main);
        }

        @Test
        void ofStatusRowsIsLeftToCliNoJsonWriterInStatusOrClusterStatus() {
            noClasses().that().resideInAPackage(ROOT + ".status..")
                    .or().haveNameMatching(ROOT.replace(".", "\\.") + "\\.cluster\\.ClusterStatusService(\\$.*)?")
                    .should().dependOnClassesThat().haveFullyQualifiedName(ROOT + ".io.Json")
                    .orShould().dependOnClassesThat().haveFullyQualifiedName("io.timeshift.common.json.LightJson")
                    .check(main);
        }

        @Test
        void happensInTheCliPackageOnly() {
            noClasses().that().haveSimpleNameEndingWith("Renderer").should().resideOutsideOfPackage(ROOT + ".cli..").check(main);
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

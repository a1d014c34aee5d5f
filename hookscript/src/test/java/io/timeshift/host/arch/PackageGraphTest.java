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
        @Test
        void theServicesThatReturnReportsAndTheReportsThemselvesWriteToNoStream() {
            noClasses().that().haveFullyQualifiedName(ROOT + ".admin.DoctorService")
                    .or().haveFullyQualifiedName(ROOT + ".status.StatusService")
                    .or().haveSimpleNameEndingWith("Report")
                    .or().implement(ROOT + ".admin.DoctorCheck")
                    .or().haveFullyQualifiedName(ROOT + ".admin.DoctorCheck")
                    .or().haveFullyQualifiedName(ROOT + ".admin.VerifyService")
                    .or().haveFullyQualifiedName(ROOT + ".admin.BmcProbe")
                    .should().dependOnClassesThat().areAssignableTo(PrintWriter.class)
                    .orShould().dependOnClassesThat().areAssignableTo(PrintStream.class)
                    .check(main);
        }

        @Test
        void ofStatusRowsIsLeftToCliNoStreamNoJsonWriterInStatusOrClusterStatus() {
            noClasses().that().resideInAPackage(ROOT + ".status..")
                    .or().haveNameMatching(ROOT.replace(".", "\\.") + "\\.cluster\\.ClusterStatusService(\\$.*)?")
                    .should().dependOnClassesThat().areAssignableTo(PrintWriter.class)
                    .orShould().dependOnClassesThat().areAssignableTo(PrintStream.class)
                    .orShould().dependOnClassesThat().haveFullyQualifiedName(ROOT + ".io.Json")
                    .orShould().dependOnClassesThat().haveFullyQualifiedName("io.timeshift.common.json.LightJson")
                    .check(main);
        }

        @Test
        void applyStateAuditAndNotesWriteToNoStreamOnlyThroughTheLogSink() {
            noClasses().that().resideInAnyPackage(ROOT + ".apply..", ROOT + ".state..", ROOT + ".audit..", ROOT + ".notes..")
                    .should().dependOnClassesThat().areAssignableTo(PrintWriter.class)
                    .orShould().dependOnClassesThat().areAssignableTo(PrintStream.class)
                    .check(main);
        }

        @Test
        void enableAndPlanAndTheirRollbackReturnWhatTheyDidAndWriteToNoStream() {
            noClasses().that().haveNameMatching(ROOT.replace(".", "\\.") + "\\.admin\\.(EnableService|PlanService|Rollback)(\\$.*)?")
                    .should().dependOnClassesThat().areAssignableTo(PrintWriter.class)
                    .orShould().dependOnClassesThat().areAssignableTo(PrintStream.class)
                    .check(main);
        }

        @Test
        void disableAndIsolationReturnTypedPreviewsAndResultsAndWriteToNoStream() {
            noClasses().that().haveNameMatching(ROOT.replace(".", "\\.") + "\\.admin\\.(Disable|Isolation)[A-Za-z]*(\\$.*)?")
                    .or().haveFullyQualifiedName(ROOT + ".admin.NicFirewall")
                    .or().haveFullyQualifiedName(ROOT + ".admin.Progress")
                    .should().dependOnClassesThat().areAssignableTo(PrintWriter.class)
                    .orShould().dependOnClassesThat().areAssignableTo(PrintStream.class)
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

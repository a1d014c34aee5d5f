package io.timeshift.testsupport;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's structure rules for one module's main classes, inherited by its {@code ArchitectureTest}:
 * no package cycles, no reach outside the module's place in the module graph.
 */
public abstract class ModuleArchitectureTest {
    private final String root;
    private final String[] forbidden;
    private JavaClasses main;

    protected ModuleArchitectureTest(String root, String... forbidden) {
        this.root = root;
        this.forbidden = forbidden;
    }

    private JavaClasses main() {
        if (main == null) {
            main = Architecture.mainClasses(root);
        }
        return main;
    }

    @Test
    void packagesHaveNoCycles() {
        Architecture.assertNoPackageCycles(main(), root);
    }

    @Test
    void dependsOnlyOnWhatItsModuleDeclares() {
        Architecture.assertNoDependencyOn(main(), root, forbidden);
    }
}

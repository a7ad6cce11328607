package io.larkway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/** Rules of the layout the build enforces (main classes only; tests may use the application). */
@AnalyzeClasses(packages = "io.larkway", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The lark component stands alone: it could be its own artifact; the application supplies apps through LarkAppResolver. */
    @ArchTest
    static final ArchRule theLarkComponentImportsNothingOfTheApplication = noClasses()
            .that().resideInAPackage("io.larkway.camel.lark..")
            .should().dependOnClassesThat(DescribedPredicate.describe("are io.larkway classes outside io.larkway.camel.lark",
                    c -> c.getPackageName().startsWith("io.larkway") && !c.getPackageName().equals("io.larkway.camel.lark")
                            && !c.getPackageName().startsWith("io.larkway.camel.lark.")));

    private static final SliceAssignment PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            String p = c.getPackageName();
            if (p.equals("io.larkway.camel.lark") || p.startsWith("io.larkway.camel.lark.")) {
                return SliceIdentifier.of("camel.lark");
            }
            return p.startsWith("io.larkway.") ? SliceIdentifier.of(p.substring("io.larkway.".length())) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "application packages below io.larkway, the lark component as one";
        }
    };

    /**
     * No package cycles, package by package: each application package is its own slice (flow.dispatch and
     * flow.converse may not lean on each other in both directions either); the lark component, which stands alone
     * (rule above), is one slice. The layers read: platform and flow (the header names), admin, expert, the stages
     * flow.*, camel (the app's glue for the component), ops, each using only those before it.
     */
    @ArchTest
    static final ArchRule noPackageCycles = slices().assignedFrom(PACKAGES).should().beFreeOfCycles();
}

package io.larkway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

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
}

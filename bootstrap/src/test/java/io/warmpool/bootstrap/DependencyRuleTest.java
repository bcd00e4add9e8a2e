package io.warmpool.bootstrap;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency rule over the whole application (CONVENTIONS "The shape"): domain is JDK-only, application
 * sees only the domain, adapters never import each other, only bootstrap sees everything.
 */
@AnalyzeClasses(packages = "io.warmpool",
        importOptions = {ImportOption.DoNotIncludeTests.class, DependencyRuleTest.DoNotIncludeTestJars.class})
class DependencyRuleTest {

    /** Other modules' test helpers reach this classpath as test-jars ({@code …-tests.jar}); they are tests too. */
    static final class DoNotIncludeTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar");
        }
    }

    @ArchTest
    static final ArchRule domainIsJdkOnly = classes().that().resideInAPackage("io.warmpool.domain..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.warmpool.domain..");

    @ArchTest
    static final ArchRule applicationSeesOnlyTheDomain = classes().that().resideInAPackage("io.warmpool.application..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.warmpool.domain..", "io.warmpool.application..");

    @ArchTest
    static final ArchRule dbAdapterImportsNoOtherAdapter = noClasses().that().resideInAPackage("io.warmpool.adapters.db..")
            .should().dependOnClassesThat().resideInAnyPackage("io.warmpool.adapters.http..", "io.warmpool.adapters.provisioner..",
                    "io.warmpool.bootstrap..");

    @ArchTest
    static final ArchRule provisionerAdapterImportsNoOtherAdapter = noClasses().that().resideInAPackage("io.warmpool.adapters.provisioner..")
            .should().dependOnClassesThat().resideInAnyPackage("io.warmpool.adapters.http..", "io.warmpool.adapters.db..",
                    "io.warmpool.bootstrap..");

    @ArchTest
    static final ArchRule httpAdapterImportsNoOtherAdapter = noClasses().that().resideInAPackage("io.warmpool.adapters.http..")
            .should().dependOnClassesThat().resideInAnyPackage("io.warmpool.adapters.db..", "io.warmpool.adapters.provisioner..",
                    "io.warmpool.bootstrap..");

    @ArchTest
    static final ArchRule nothingButBootstrapUsesGuice = noClasses().that().resideOutsideOfPackage("io.warmpool.bootstrap..")
            .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..");

    @ArchTest
    static final ArchRule onlyBootstrapReadsTheWallClock = noClasses().that().resideOutsideOfPackage("io.warmpool.bootstrap..")
            .should().callMethod(java.time.Instant.class, "now")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(java.time.Clock.class, "systemUTC");
}

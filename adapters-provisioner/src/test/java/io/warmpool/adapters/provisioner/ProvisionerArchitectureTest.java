package io.warmpool.adapters.provisioner;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The provisioners see the application's ports and their own libraries only, and never the wall clock or unseeded randomness. */
@AnalyzeClasses(packages = "io.warmpool.adapters.provisioner", importOptions = ImportOption.DoNotIncludeTests.class)
class ProvisionerArchitectureTest {

    @ArchTest
    static final ArchRule dependsOnlyOnPortsJdkAndItsLibraries = classes()
            .that().resideInAPackage("io.warmpool.adapters.provisioner..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.crypto..",
                    "io.warmpool.adapters.provisioner..", "io.warmpool.application.port.out..", "io.warmpool.domain..",
                    "io.github.resilience4j..", "com.fasterxml.jackson..")
            .because("adapters never import each other and use the application only through its ports");

    @ArchTest
    static final ArchRule neverReadsTheWallClock = noClasses()
            .that().resideInAPackage("io.warmpool.adapters.provisioner..")
            .should().callMethod(java.time.Instant.class, "now")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(java.time.Clock.class, "systemUTC")
            .orShould().callMethod(java.time.Clock.class, "systemDefaultZone")
            .because("time comes from the injected Clock or CompletionScheduler, so virtual time works");

    @ArchTest
    static final ArchRule neverDrawsUnseededRandomNumbers = noClasses()
            .that().resideInAPackage("io.warmpool.adapters.provisioner..")
            .should().callMethod(Math.class, "random")
            .orShould().callConstructor(java.util.Random.class)
            .orShould().callMethod(java.util.concurrent.ThreadLocalRandom.class, "current")
            .orShould().callConstructor(java.util.SplittableRandom.class)
            .because("randomness comes from a seed or an injected RandomGenerator (SplittableRandom(long) is seeded)");
}

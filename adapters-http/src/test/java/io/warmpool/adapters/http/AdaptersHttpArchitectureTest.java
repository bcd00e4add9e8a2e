package io.warmpool.adapters.http;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * adapters-http is an inbound adapter: it calls the application through its ports only, never another adapter,
 * bootstrap, or the services behind the ports (CONVENTIONS "The shape"). Maven already keeps the other adapters
 * off its classpath; the services are on it (they live in the application jar), so this is the check that holds.
 */
@AnalyzeClasses(packages = "io.warmpool.adapters.http", importOptions = ImportOption.DoNotIncludeTests.class)
class AdaptersHttpArchitectureTest {

    @ArchTest
    static final ArchRule noOtherAdapterNorBootstrap = noClasses()
            .that().resideInAPackage("io.warmpool.adapters.http..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.warmpool.adapters.db..", "io.warmpool.adapters.provisioner..", "io.warmpool.bootstrap..")
            .because("adapters never import each other; only bootstrap sees everything");

    @ArchTest
    static final ArchRule onlyPortsOfTheApplication = noClasses()
            .that().resideInAPackage("io.warmpool.adapters.http..")
            .should().dependOnClassesThat().resideInAPackage("io.warmpool.application.service..")
            .because("the API calls use cases (port.in) and implements ports (port.out), never services");

    @ArchTest
    static final ArchRule noWallClockReads = noClasses()
            .that().resideInAPackage("io.warmpool.adapters.http..")
            .should().callMethod(java.time.Instant.class, "now")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(System.class, "nanoTime")
            .orShould().callMethod(java.time.Clock.class, "systemUTC")
            .orShould().callMethod(java.time.Clock.class, "systemDefaultZone")
            .because("time comes from the injected Clock so tests and the simulator are exact");
}

package io.warmpool.application;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The application sees only the domain and the JDK, and uses time only through the injected clock. */
@AnalyzeClasses(packages = "io.warmpool.application", importOptions = ImportOption.DoNotIncludeTests.class)
class ApplicationArchitectureTest {

    @ArchTest
    static final ArchRule applicationImportsOnlyDomainAndJdk = classes()
            .that().resideInAPackage("io.warmpool.application..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.warmpool.domain..", "io.warmpool.application..")
            .because("application depends on the domain only (no Guice, jOOQ or HTTP)");

    @ArchTest
    static final ArchRule noJdbcOrNetworkInTheApplication = noClasses()
            .that().resideInAPackage("io.warmpool.application..")
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "java.net..", "java.nio.file..")
            .because("I/O belongs to adapters behind ports");

    @ArchTest
    static final ArchRule servicesNeverReadTheWallClock = noClasses()
            .that().resideInAPackage("io.warmpool.application..")
            .should().callMethod(java.time.Instant.class, "now")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(java.time.Clock.class, "systemUTC")
            .orShould().callMethod(java.time.Clock.class, "systemDefaultZone")
            .because("services take the injected Clock so the simulator and tests are exact");

    @ArchTest
    static final ArchRule portsAreInterfacesOrValues = classes()
            .that().resideInAPackage("io.warmpool.application.port.out").and().haveSimpleNameEndingWith("Port")
            .should().beInterfaces();
}

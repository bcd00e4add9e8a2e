package io.warmpool.domain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;

/** The domain is pure: JDK only, no I/O, no wall clock. */
@AnalyzeClasses(packages = "io.warmpool.domain", importOptions = ImportOption.DoNotIncludeTests.class)
class DomainArchitectureTest {

    @ArchTest
    static final ArchRule domainImportsOnlyTheJdkAndItself = ArchRuleDefinition.classes()
            .that().resideInAPackage("io.warmpool.domain..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.warmpool.domain..")
            .because("the domain is JDK-only (CONVENTIONS: the shape)");

    @ArchTest
    static final ArchRule domainDoesNoIo = noClasses()
            .that().resideInAPackage("io.warmpool.domain..")
            .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio..", "java.net..", "java.sql..")
            .because("domain rules take their inputs as values and do no I/O");

    @ArchTest
    static final ArchRule domainNeverReadsTheWallClock = noClasses()
            .that().resideInAPackage("io.warmpool.domain..")
            .should().callMethod(java.time.Instant.class, "now")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(java.time.Clock.class, "systemUTC")
            .orShould().callMethod(java.time.Clock.class, "systemDefaultZone")
            .because("time is passed in as Instant now");
}

package io.warmpool.bootstrap.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.EvaluationResult;
import io.warmpool.bootstrap.architecture.HexagonalArchitecture.Rule;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dependency rule, every part of it, checked once over every production class (bootstrap is the only module
 * that sees them all). Each rule is also checked against a planted violation in {@code planted}, a small hexagon of
 * the same shape in the test sources, so none of them can silently stop failing.
 */
class DependencyRuleTest {

    static HexagonalArchitecture warmpool(String base) {
        return HexagonalArchitecture.basePackage(base)
                .withDomain("domain")
                .withApplication("application", "port.in", "port.out", "service", "wiring")
                .withOutboundAdapter("adapters.db")
                .withOutboundAdapter("adapters.provisioner")
                .withInboundAdapter("adapters.http")
                .withOutboundAdapter("adapters.metrics")
                .withFileFormatAdapter("adapters.presets")
                .withRowTypesConfinedTo("adapters.db", "jooq")
                .withConfiguration("bootstrap");
    }

    static final HexagonalArchitecture PRODUCTION = warmpool("io.warmpool");
    static final HexagonalArchitecture PLANTED = warmpool(DependencyRuleTest.class.getPackageName() + ".planted");

    /**
     * Rule → what its planted violation must report (class names and calls that appear in the failure details),
     * and what it must not report (allowed uses right beside the violation).
     */
    record Planted(List<String> reported, List<String> notReported) {
        static Planted reports(String... reported) {
            return new Planted(List.of(reported), List.of());
        }

        Planted butNot(String... allowed) {
            return new Planted(reported, List.of(allowed));
        }
    }

    static final Map<String, Planted> PLANTED_VIOLATIONS = Map.ofEntries(
            Map.entry("domain imports only the JDK", Planted.reports("ImportsALibrary", "com.fasterxml.jackson.databind.ObjectMapper")),
            Map.entry("domain does no I/O", Planted.reports("ReadsAFile", "java.nio.file.Files")),
            Map.entry("application sees only the domain", Planted.reports("ImportsAnAdapter", "SomeDbAdapter",
                    "LogsThroughTheBackend", "ch.qos.logback").butNot("SomeModule", "LogsThroughTheFacade")),
            Map.entry("application does no I/O", Planted.reports("OpensASocket", "java.net.Socket")),
            Map.entry("port.in does not depend on port.out", Planted.reports("LeaksAReadModelUseCase", "ReadModel")),
            Map.entry("outbound ports are interfaces", Planted.reports("ConcretePort")),
            Map.entry("adapters do not depend on services", Planted.reports("CallsAService", "SomeService")),
            Map.entry("adapter db depends on no other adapter nor bootstrap", Planted.reports("ReachesIntoBootstrap", "bootstrap.Main")),
            Map.entry("adapter provisioner depends on no other adapter nor bootstrap", Planted.reports("ReachesIntoHttp", "CallsAService")),
            Map.entry("adapter http depends on no other adapter but a file format nor bootstrap", Planted.reports(
                    "ReachesIntoDb", "SomeDbAdapter", "ScrapesTheMetrics", "SomeMetrics").butNot("UsesTheFormat", "SomeFormat")),
            Map.entry("adapter metrics depends on no other adapter nor bootstrap", Planted.reports("ParsesPresets", "SomeFormat")),
            Map.entry("adapter presets depends on no other adapter nor bootstrap", Planted.reports("FormatReachesIntoDb", "SomeDbAdapter")),
            Map.entry("outbound adapters do not call use cases", Planted.reports("CallsAUseCase", "SomeUseCase").butNot("SomeReport")),
            Map.entry("row types stay inside the database adapter", Planted.reports(
                    "LeakyAdapter.presets()", "LeakyAdapter.byName()", "LeakyAdapter.save(java.util.List)", "LeakyAdapter.LAST",
                    "PresetsRecord", "org.jooq.Result").butNot("hidden")),
            Map.entry("application uses Guice only in its wiring", Planted.reports("InjectedService", "com.google.inject.Inject")
                    .butNot("SomeModule")),
            Map.entry("outside bootstrap only Guice modules use Guice", Planted.reports("InjectedAdapter", "com.google.inject.Inject")
                    .butNot("BindsItself", "SomeModule", "planted.bootstrap.Main")),
            Map.entry("only bootstrap reads the wall clock", Planted.reports(
                    "Instant.now()", "LocalDateTime.now()", "System.currentTimeMillis()", "Clock.systemUTC()")
                    .butNot("Instant.now(java.time.Clock)", "nanoTime", "planted.bootstrap.Main")),
            Map.entry("domain and application use no time source at all", Planted.reports("MeasuresTime", "System.nanoTime()")),
            Map.entry("only bootstrap draws unseeded random numbers", Planted.reports(
                    "Random.<init>()", "Math.random()", "UUID.randomUUID()")
                    .butNot("Random.<init>(long)", "SplittableRandom", "SecureRandom", "planted.bootstrap.Main")));

    /** Other modules' test helpers reach this classpath as test-jars ({@code …-tests.jar}); they are tests too. */
    static final class DoNotIncludeTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar");
        }
    }

    private static JavaClasses production;
    private static JavaClasses planted;

    @BeforeAll
    static void importOnce() {
        long started = System.nanoTime();
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(new DoNotIncludeTestJars())
                .importPackages("io.warmpool");
        long imported = System.nanoTime();
        planted = new ClassFileImporter().importPackages(DependencyRuleTest.class.getPackageName() + ".planted");
        System.out.printf("DependencyRuleTest: imported %d production classes in %d ms, %d planted in %d ms%n",
                production.size(), (imported - started) / 1_000_000,
                planted.size(), (System.nanoTime() - imported) / 1_000_000);
    }

    static List<Rule> rules() {
        return PRODUCTION.rules();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void holdsForTheProductionCode(Rule rule) {
        rule.rule().check(production);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void failsOnItsPlantedViolation(Rule rule) {
        Planted expected = PLANTED_VIOLATIONS.get(rule.name());
        assertThat(expected).as("a planted violation for rule '%s'", rule.name()).isNotNull();

        EvaluationResult result = PLANTED.rule(rule.name()).rule().evaluate(planted);

        assertThat(result.hasViolation()).as("rule '%s' fails on the planted classes", rule.name()).isTrue();
        String report = String.join("\n", result.getFailureReport().getDetails());
        assertThat(report).contains(expected.reported());
        expected.notReported().forEach(allowed -> assertThat(report).doesNotContain(allowed));
    }

    @Test
    void everyPlantedViolationBelongsToARule() {
        assertThat(PLANTED_VIOLATIONS.keySet())
                .containsExactlyInAnyOrderElementsOf(rules().stream().map(Rule::name).collect(Collectors.toSet()));
    }
}

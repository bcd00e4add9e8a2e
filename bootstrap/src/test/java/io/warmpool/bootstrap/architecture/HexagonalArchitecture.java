package io.warmpool.bootstrap.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.TableLike;

/**
 * The hexagon's shape and every rule it implies, in one place (buckpal's {@code HexagonalArchitecture}, extended
 * with warmpool's conventions on time, randomness and row types). The shape is given relative to a base package
 * so the same rules can be checked against the production code ({@code io.warmpool}) and against a small planted
 * hexagon in the test sources whose classes break each rule on purpose ({@link DependencyRuleTest}).
 *
 * <pre>
 * base.domain                 JDK only, no I/O, no time source
 * base.application.port.in    use cases: see the domain, never port.out
 * base.application.port.out   outbound ports (interfaces) and their values
 * base.application.service    implements port.in with port.out
 * base.application.wiring     the Guice module binding every use case to its service: the only Guice in the application
 * base.adapters.&lt;name&gt;        ports and domain only; never a service, another adapter or bootstrap —
 *                             except that an inbound adapter may use a file format (adapters.presets)
 * base.bootstrap              the composition root: sees everything, alone uses the wall clock and
 *                             unseeded randomness; outside it only Guice modules use Guice
 * </pre>
 */
public final class HexagonalArchitecture {

    /** One named rule; the name ties a rule to its planted violation in the test. */
    public record Rule(String name, ArchRule rule) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final String base;
    private String domain;
    private String application;
    private String portIn;
    private String portOut;
    private String services;
    private String wiring;
    private final List<String> adapters = new ArrayList<>();
    private final List<String> inboundAdapters = new ArrayList<>();
    private final List<String> outboundAdapters = new ArrayList<>();
    private final List<String> fileFormats = new ArrayList<>();
    private String rowTypeAdapter;
    private String generatedRowTypes;
    private String configuration;

    private HexagonalArchitecture(String base) {
        this.base = base;
    }

    public static HexagonalArchitecture basePackage(String base) {
        return new HexagonalArchitecture(base);
    }

    public HexagonalArchitecture withDomain(String pkg) {
        this.domain = base + "." + pkg;
        return this;
    }

    public HexagonalArchitecture withApplication(String pkg, String incomingPorts, String outgoingPorts, String servicesPkg,
                                                 String wiringPkg) {
        this.application = base + "." + pkg;
        this.portIn = application + "." + incomingPorts;
        this.portOut = application + "." + outgoingPorts;
        this.services = application + "." + servicesPkg;
        this.wiring = application + "." + wiringPkg;
        return this;
    }

    /** An inbound adapter drives the application through port.in; it may use a file format (see below). */
    public HexagonalArchitecture withInboundAdapter(String pkg) {
        adapters.add(base + "." + pkg);
        inboundAdapters.add(base + "." + pkg);
        return this;
    }

    /** An outbound adapter implements port.out; it never calls a use case (that would be a cycle through the services). */
    public HexagonalArchitecture withOutboundAdapter(String pkg) {
        adapters.add(base + "." + pkg);
        outboundAdapters.add(base + "." + pkg);
        return this;
    }

    /**
     * A file format (the presets YAML): an adapter of its own that depends on no other, and the one adapter that
     * others may import — inbound adapters only (CONVENTIONS: "a file format is an adapter of its own that every
     * inbound adapter may use"). Outbound adapters never read user files.
     */
    public HexagonalArchitecture withFileFormatAdapter(String pkg) {
        adapters.add(base + "." + pkg);
        fileFormats.add(base + "." + pkg);
        return this;
    }

    /** The adapter whose row types (its generated package, jOOQ records and results) must not leave it. */
    public HexagonalArchitecture withRowTypesConfinedTo(String adapterPkg, String generatedSubPackage) {
        this.rowTypeAdapter = base + "." + adapterPkg;
        this.generatedRowTypes = rowTypeAdapter + "." + generatedSubPackage;
        return this;
    }

    public HexagonalArchitecture withConfiguration(String pkg) {
        this.configuration = base + "." + pkg;
        return this;
    }

    /** Every rule, in reading order. */
    public List<Rule> rules() {
        Map<String, ArchRule> rules = new LinkedHashMap<>();

        // ---- the domain: pure rules
        rules.put("domain imports only the JDK", classes().that().resideInAPackage(domain + "..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", domain + "..")
                .because("the domain is JDK-only (CONVENTIONS: the shape)"));
        rules.put("domain does no I/O", noClasses().that().resideInAPackage(domain + "..")
                .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio..", "java.net..", "java.sql..")
                .because("domain rules take their inputs as values"));

        // ---- the application: use cases, ports and services
        rules.put("application sees only the domain", classes().that().resideInAPackage(application + "..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(with(with(GUICE, SLF4J), "java..", domain + "..", application + ".."))
                .because("the application depends on the domain only (no jOOQ or HTTP; Guice only in its wiring, next rule;"
                        + " the SLF4J API as a logging facade, never a backend: docs/decisions.md)"));
        rules.put("application uses Guice only in its wiring", noClasses().that().resideInAPackage(application + "..")
                .and().resideOutsideOfPackage(wiring + "..")
                .should().dependOnClassesThat().resideInAnyPackage(GUICE)
                .because("the services are plain constructors; one module binds them for every runtime (CONVENTIONS:"
                        + " compose once; docs/decisions.md)"));
        rules.put("application does no I/O", noClasses().that().resideInAPackage(application + "..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "java.net..", "java.nio.file..")
                .because("I/O belongs to adapters behind ports"));
        rules.put("port.in does not depend on port.out", noClasses().that().resideInAPackage(portIn + "..")
                .should().dependOnClassesThat().resideInAPackage(portOut + "..")
                .because("use cases speak their own language: a read-model change must not change the REST contract"));
        rules.put("outbound ports are interfaces", classes().that().resideInAPackage(portOut)
                .and().haveSimpleNameEndingWith("Port")
                .should().beInterfaces()
                .because("adapters implement them and fakes replace them"));

        // ---- the adapters
        rules.put("adapters do not depend on services", noClasses().that().resideInAnyPackage(inside(adapters))
                .should().dependOnClassesThat().resideInAPackage(services + "..")
                .because("adapters use the application through its ports only"));
        for (String adapter : adapters) {
            List<String> others = new ArrayList<>(adapters);
            others.remove(adapter);
            others.add(configuration);
            boolean inbound = inboundAdapters.contains(adapter);
            if (inbound) {
                others.removeAll(fileFormats); // the one exception: an inbound adapter may read a file format
            }
            rules.put("adapter " + simpleName(adapter) + " depends on no other adapter"
                            + (inbound ? " but a file format" : "") + " nor bootstrap",
                    noClasses().that().resideInAPackage(adapter + "..")
                            .should().dependOnClassesThat().resideInAnyPackage(inside(others))
                            .because("adapters never import each other (an inbound one may use a file format such as"
                                    + " the presets YAML); only bootstrap sees everything"));
        }
        rules.put("outbound adapters do not call use cases", noClasses().that().resideInAnyPackage(inside(outboundAdapters))
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage(portIn + "..")
                        .and(JavaClass.Predicates.INTERFACES).as("are use cases (interfaces in " + portIn + ")"))
                .because("an outbound adapter is called by a service; calling a use case back would be a cycle"
                        + " (a value of port.in that an outbound port carries, such as PassReport, is no call)"));
        rules.put("row types stay inside the database adapter", classes().that().resideInAPackage(rowTypeAdapter)
                .and().arePublic()
                .should(exposeNoRowTypes())
                .because("database row types never leave adapters-db (CONVENTIONS: map them to domain records there)"));

        // ---- composition: bootstrap wires; elsewhere a module next to the classes it binds
        rules.put("outside bootstrap only Guice modules use Guice", noClasses().that().resideOutsideOfPackage(configuration + "..")
                .and(ARE_NOT_GUICE_MODULES)
                .should().dependOnClassesThat().resideInAnyPackage(GUICE)
                .because("classes keep plain constructors (no @Inject); a module binds them, next to them when they are"
                        + " package-private (CONVENTIONS: one module per adapter; docs/decisions.md)"));

        // ---- time and randomness: only bootstrap chooses the real ones
        rules.put("only bootstrap reads the wall clock", noClasses().that().resideOutsideOfPackage(configuration + "..")
                .should(accessTargetWhere(READS_THE_WALL_CLOCK))
                .because("time comes from the injected Clock (or Instant now), so the simulator and the tests are exact"));
        rules.put("domain and application use no time source at all", noClasses()
                .that().resideInAnyPackage(domain + "..", application + "..")
                .should(accessTargetWhere(READS_THE_MONOTONIC_CLOCK))
                .because("they take Instant now, a Clock or the TimerPort, so virtual time drives them"));
        rules.put("only bootstrap draws unseeded random numbers", noClasses().that().resideOutsideOfPackage(configuration + "..")
                .should(accessTargetWhere(DRAWS_UNSEEDED_RANDOMNESS))
                .because("randomness comes from a seed or an injected RandomGenerator (SecureRandom stays for secrets)"));

        List<Rule> named = new ArrayList<>();
        rules.forEach((name, rule) -> named.add(new Rule(name, rule)));
        return named;
    }

    private static final String[] GUICE = {"com.google.inject..", "jakarta.inject..", "javax.inject.."};
    /** The logging facade's API (org.slf4j, .event, .spi, .helpers); a backend (Logback) is bootstrap's choice. */
    private static final String[] SLF4J = {"org.slf4j.."};

    private static String[] with(String[] more, String... packages) {
        List<String> all = new ArrayList<>(List.of(packages));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** A Guice module, or a class inside one (an anonymous provider, a nested helper). */
    private static final DescribedPredicate<JavaClass> ARE_NOT_GUICE_MODULES = DescribedPredicate.describe(
            "are not Guice modules", c -> {
                JavaClass top = c;
                while (top.getEnclosingClass().isPresent()) {
                    top = top.getEnclosingClass().get();
                }
                return !top.isAssignableTo(com.google.inject.Module.class);
            });

    public Rule rule(String name) {
        return rules().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no rule named " + name));
    }

    private static String[] inside(List<String> packages) {
        return packages.stream().map(p -> p + "..").toArray(String[]::new);
    }

    private static String simpleName(String pkg) {
        return pkg.substring(pkg.lastIndexOf('.') + 1);
    }

    // ---- time and randomness

    private static ArchCondition<JavaClass> accessTargetWhere(DescribedPredicate<AccessTarget> predicate) {
        return new ArchCondition<>("call or reference a method or constructor that " + predicate.getDescription()) {
            @Override
            public void check(JavaClass clazz, ConditionEvents events) {
                // calls and method references (Instant::now) alike
                for (JavaAccess<?> access : clazz.getCodeUnitAccessesFromSelf()) {
                    if (predicate.test(access.getTarget())) {
                        events.add(SimpleConditionEvent.satisfied(access, access.getDescription()));
                    }
                }
            }
        };
    }

    private static boolean takes(AccessTarget target, Class<?> type) {
        return target instanceof AccessTarget.CodeUnitAccessTarget unit
                && unit.getRawParameterTypes().stream().anyMatch(p -> p.isEquivalentTo(type));
    }

    private static boolean takesNothing(AccessTarget target) {
        return target instanceof AccessTarget.CodeUnitAccessTarget unit && unit.getRawParameterTypes().isEmpty();
    }

    private static boolean is(AccessTarget target, Class<?> owner, String... names) {
        return target.getOwner().isEquivalentTo(owner) && Set.of(names).contains(target.getName());
    }

    /**
     * Reads the time of day from the system: {@code X.now()} of any java.time type unless given a Clock,
     * {@code Clock.systemUTC()} and friends, {@code InstantSource.system()}, {@code System.currentTimeMillis()},
     * {@code new Date()}, {@code Calendar.getInstance(..)}.
     */
    static final DescribedPredicate<AccessTarget> READS_THE_WALL_CLOCK = DescribedPredicate.describe("reads the wall clock",
            t -> (t.getOwner().getPackageName().startsWith("java.time") && t.getName().equals("now") && !takes(t, java.time.Clock.class))
                    || is(t, java.time.Clock.class, "systemUTC", "systemDefaultZone", "system", "tickMillis", "tickSeconds", "tickMinutes")
                    || is(t, java.time.InstantSource.class, "system")
                    || is(t, System.class, "currentTimeMillis")
                    || (is(t, java.util.Date.class, "<init>") && takesNothing(t))
                    || is(t, java.util.Calendar.class, "getInstance"));

    static final DescribedPredicate<AccessTarget> READS_THE_MONOTONIC_CLOCK = DescribedPredicate.describe(
            "reads the monotonic clock", t -> is(t, System.class, "nanoTime"));

    /** Unseeded draws; a {@code new Random(seed)} or {@code new SplittableRandom(seed)} is fine, and so is SecureRandom. */
    static final DescribedPredicate<AccessTarget> DRAWS_UNSEEDED_RANDOMNESS = DescribedPredicate.describe(
            "draws unseeded random numbers",
            t -> is(t, Math.class, "random")
                    || is(t, StrictMath.class, "random")
                    || is(t, java.util.concurrent.ThreadLocalRandom.class, "current")
                    || is(t, java.util.UUID.class, "randomUUID")
                    || (is(t, java.util.Random.class, "<init>") && takesNothing(t))
                    || (is(t, java.util.SplittableRandom.class, "<init>") && takesNothing(t))
                    || is(t, java.util.random.RandomGenerator.class, "getDefault", "of")
                    || is(t, java.util.random.RandomGeneratorFactory.class, "create") && takesNothing(t));

    // ---- row types

    private ArchCondition<JavaClass> exposeNoRowTypes() {
        String generated = generatedRowTypes;
        return new ArchCondition<>("expose no jOOQ generated, record or result types in public signatures") {
            @Override
            public void check(JavaClass clazz, ConditionEvents events) {
                for (JavaMember member : clazz.getMembers()) {
                    if (!member.getModifiers().contains(JavaModifier.PUBLIC)) {
                        continue;
                    }
                    for (JavaClass type : signatureTypes(member)) {
                        if (isRowType(type, generated)) {
                            events.add(SimpleConditionEvent.violated(member,
                                    member.getFullName() + " exposes " + type.getName() + " in " + member.getSourceCodeLocation()));
                        }
                    }
                }
            }
        };
    }

    /** Every raw type a member's signature involves, type arguments included ({@code List<XRecord>} counts). */
    private static Set<JavaClass> signatureTypes(JavaMember member) {
        List<JavaType> types = new ArrayList<>();
        if (member instanceof JavaCodeUnit unit) {
            types.add(unit.getReturnType());
            types.addAll(unit.getParameterTypes());
        } else if (member instanceof JavaField field) {
            types.add(field.getType());
        }
        Set<JavaClass> raw = new TreeSet<>((a, b) -> a.getName().compareTo(b.getName()));
        types.forEach(t -> raw.addAll(t.getAllInvolvedRawTypes()));
        return raw;
    }

    private static boolean isRowType(JavaClass type, String generated) {
        return type.getPackageName().equals(generated)
                || type.getPackageName().startsWith(generated + ".")
                || type.isAssignableTo(Record.class)
                || type.isAssignableTo(Result.class)
                || type.isAssignableTo(TableLike.class);
    }
}

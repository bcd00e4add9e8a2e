package io.warmpool.adapters.db;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.warmpool.adapters.db.jooq.tables.records.PresetsRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.TableLike;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hexagon's rules for adapters-db: it never reaches into other adapters or bootstrap, and database row types
 * (jOOQ generated classes, records, results) never leave it through a public signature — they are mapped to
 * domain and port types inside.
 */
class AdaptersDbArchitectureTest {

    private static final String ADAPTER_PACKAGE = "io.warmpool.adapters.db";
    private static final String GENERATED_PACKAGE = "io.warmpool.adapters.db.jooq";

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ADAPTER_PACKAGE);
    }

    /** Public members of the hand-written adapter classes must not mention row types. */
    static final ArchRule ROW_TYPES_STAY_INSIDE = classes()
            .that().resideInAPackage(ADAPTER_PACKAGE)
            .and().arePublic()
            .should(exposeNoRowTypes())
            .because("database row types never leave adapters-db (CONVENTIONS: map them to domain records there)");

    static final ArchRule NO_OTHER_ADAPTERS = noClasses()
            .that().resideInAPackage(ADAPTER_PACKAGE + "..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.warmpool.adapters.http..", "io.warmpool.adapters.provisioner..", "io.warmpool.bootstrap..")
            .because("adapters never import each other; only bootstrap sees everything");

    @Test
    void adaptersDb_doesNotDependOnOtherAdaptersOrBootstrap() {
        NO_OTHER_ADAPTERS.check(production);
    }

    @Test
    void publicSignatures_ofAdapterClasses_exposeNoRowTypes() {
        ROW_TYPES_STAY_INSIDE.check(production);
    }

    @Test
    void theRowTypeRule_catchesALeak() {
        // A rule that cannot fail proves nothing: feed it a class that leaks a generated record.
        JavaClasses leaky = new ClassFileImporter().importClasses(LeakyAdapter.class);

        var result = ROW_TYPES_STAY_INSIDE.evaluate(leaky);

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails())
                .anySatisfy(d -> assertThat(d).contains("presets()").contains(PresetsRecord.class.getName()))
                .anySatisfy(d -> assertThat(d).contains("byName(").contains(Result.class.getName()))
                .anySatisfy(d -> assertThat(d).contains("save(").contains(PresetsRecord.class.getName()))
                .anySatisfy(d -> assertThat(d).contains("LAST").contains(PresetsRecord.class.getName()))
                .noneSatisfy(d -> assertThat(d).contains("hidden"));
    }

    private static ArchCondition<JavaClass> exposeNoRowTypes() {
        return new ArchCondition<>("expose no jOOQ generated, record or result types in public signatures") {
            @Override
            public void check(JavaClass clazz, ConditionEvents events) {
                for (JavaMember member : clazz.getMembers()) {
                    if (!member.getModifiers().contains(JavaModifier.PUBLIC)) {
                        continue;
                    }
                    for (JavaClass type : signatureTypes(member)) {
                        if (isRowType(type)) {
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

    private static boolean isRowType(JavaClass type) {
        return type.getPackageName().equals(GENERATED_PACKAGE)
                || type.getPackageName().startsWith(GENERATED_PACKAGE + ".")
                || type.isAssignableTo(Record.class)
                || type.isAssignableTo(Result.class)
                || type.isAssignableTo(TableLike.class);
    }

    /** A deliberately bad adapter for {@link #theRowTypeRule_catchesALeak}. */
    public static final class LeakyAdapter {

        public static final PresetsRecord LAST = null;

        public PresetsRecord presets() {
            return null;
        }

        public Map<String, Result<PresetsRecord>> byName() {
            return Map.of();
        }

        public void save(List<PresetsRecord> rows) {
        }

        PresetsRecord hidden() {
            return null;
        }
    }
}

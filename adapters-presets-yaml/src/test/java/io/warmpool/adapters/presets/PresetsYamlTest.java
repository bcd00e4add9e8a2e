package io.warmpool.adapters.presets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.domain.definition.InvalidDefinitionException;
import io.warmpool.domain.definition.PresetsInput;
import io.warmpool.domain.definition.PresetsInput.PresetInput;
import io.warmpool.domain.definition.PresetsInput.TemplateInput;
import io.warmpool.domain.definition.PresetsValidator;
import io.warmpool.domain.definition.ValidationError;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

public class PresetsYamlTest {

    /** The example of SPEC §5, line for line (line 1 is {@code templates:}). */
    public static final String SPEC_EXAMPLE = """
            templates:
              - name: python-dev
                version: v3            # becomes the active version
                deprecated: false
                presets:
                  - name: small
                    parameters: {cpu: "2", memory: 4Gi}
                    prebuilds:
                      instances: 3
                      ttl: 24h
                      scheduling:
                        timezone: Europe/Berlin
                        schedule:
                          - {cron: "* 8-18 * * 1-5", instances: 6}
            """;

    static List<ValidationError> errorsOf(String yaml) {
        try {
            PresetsYaml.parse(yaml, "p.yaml");
        } catch (InvalidDefinitionException e) {
            return e.errors();
        }
        throw new AssertionError("expected the file to be rejected");
    }

    @Nested
    class GivenAValidFile {

        @Test
        void theSpecExample_isReadCompletely_withTheLineOfEveryRecord() {
            PresetsInput input = PresetsYaml.parse(SPEC_EXAMPLE, "examples/presets.yaml");

            assertThat(input.source()).isEqualTo("examples/presets.yaml:1");
            TemplateInput template = input.templates().get(0);
            assertThat(template.source()).isEqualTo("examples/presets.yaml:2");
            assertThat(template.name()).isEqualTo("python-dev");
            assertThat(template.version()).isEqualTo("v3");
            assertThat(template.deprecated()).isFalse();
            assertThat(template.deleted()).isNull();
            PresetInput preset = template.presets().get(0);
            assertThat(preset.source()).isEqualTo("examples/presets.yaml:6");
            assertThat(preset.name()).isEqualTo("small");
            assertThat(preset.parameters()).containsExactly(
                    org.assertj.core.api.Assertions.entry("cpu", "2"),
                    org.assertj.core.api.Assertions.entry("memory", "4Gi"));
            assertThat(preset.prebuilds().source()).isEqualTo("examples/presets.yaml:9");
            assertThat(preset.prebuilds().instances()).isEqualTo(3);
            assertThat(preset.prebuilds().ttl()).isEqualTo("24h");
            assertThat(preset.prebuilds().scheduling().source()).isEqualTo("examples/presets.yaml:12");
            assertThat(preset.prebuilds().scheduling().timezone()).isEqualTo("Europe/Berlin");
            var window = preset.prebuilds().scheduling().schedule().get(0);
            assertThat(window.source()).isEqualTo("examples/presets.yaml:14");
            assertThat(window.cron()).isEqualTo("* 8-18 * * 1-5");
            assertThat(window.instances()).isEqualTo(6);
        }

        @Test
        void whatItReads_isWhatTheDomainValidatorAccepts() {
            // No schedule windows here: cron parsing belongs to the schedule work, not to this module.
            PresetsInput input = PresetsYaml.parse("""
                    templates:
                      - name: python-dev
                        version: v3
                        deprecated: false
                        presets:
                          - name: small
                            parameters: {cpu: "2", memory: 4Gi}
                            prebuilds: {instances: 3, ttl: 24h}
                    """, "p.yaml");

            var document = PresetsValidator.validate(input);

            assertThat(document.templates()).hasSize(1);
            assertThat(document.templates().get(0).presets().get(0).parameters()).containsEntry("cpu", "2");
        }

        @Test
        void parameterScalars_becomeTextAsWritten() {
            PresetsInput input = PresetsYaml.parse("""
                    templates:
                      - name: t
                        version: v1
                        presets:
                          - name: p
                            parameters:
                              cpu: 2
                              quoted: "2"
                              ratio: 1.50
                              gpu: true
                              hex: 0x1F
                              memory: 4Gi
                              empty: ""
                              missing:
                    """, "p.yaml");

            assertThat(input.templates().get(0).presets().get(0).parameters())
                    .containsEntry("cpu", "2").containsEntry("quoted", "2").containsEntry("ratio", "1.50")
                    .containsEntry("gpu", "true").containsEntry("hex", "0x1F").containsEntry("memory", "4Gi")
                    .containsEntry("empty", "").containsEntry("missing", null);
        }

        @Test
        void deletedAndDeprecatedFlags_areRead() {
            TemplateInput t = PresetsYaml.parse("""
                    templates:
                      - {name: t, version: v1, deprecated: true, deleted: True}
                    """, "p.yaml").templates().get(0);

            assertThat(t.deprecated()).isTrue();
            assertThat(t.deleted()).isTrue();
            assertThat(t.presets()).isNull();
        }

        @Test
        void json_isAcceptedAsYaml_withLineNumbers() {
            PresetsInput input = PresetsYaml.parse("""
                    {"templates": [
                      {"name": "t", "version": "v1",
                       "presets": [{"name": "p", "prebuilds": {"instances": 2}}]}
                    ]}
                    """, "body");

            PresetInput preset = input.templates().get(0).presets().get(0);
            assertThat(input.templates().get(0).source()).isEqualTo("body:2");
            assertThat(preset.source()).isEqualTo("body:3");
            assertThat(preset.prebuilds().instances()).isEqualTo(2);
        }

        @Test
        void explicitNulls_areAbsentValues_leftToTheValidator() {
            PresetsInput input = PresetsYaml.parse("""
                    templates:
                      - name: t
                        version: ~
                        presets: null
                    """, "p.yaml");

            assertThat(input.templates().get(0).version()).isNull();
            assertThat(input.templates().get(0).presets()).isNull();
        }

        @Test
        void anEmptyDocument_hasNoTemplates_soTheValidatorSaysTheyAreRequired() {
            PresetsInput input = PresetsYaml.parse("# nothing yet\n", "p.yaml");

            assertThat(input.templates()).isNull();
            assertThatThrownBy(() -> PresetsValidator.validate(input))
                    .isInstanceOf(InvalidDefinitionException.class)
                    .hasMessageContaining("p.yaml:1: templates: at least one template is required");
        }

        @Test
        void octalAndSignedIntegers_areWholeNumbers() {
            var prebuilds = PresetsYaml.parse("""
                    templates:
                      - name: t
                        version: v1
                        presets:
                          - {name: a, prebuilds: {instances: 0o10}}
                          - {name: b, prebuilds: {instances: +4}}
                    """, "p.yaml").templates().get(0).presets();

            assertThat(prebuilds.get(0).prebuilds().instances()).isEqualTo(8);
            assertThat(prebuilds.get(1).prebuilds().instances()).isEqualTo(4);
        }
    }

    @Nested
    class GivenAWrongShape {

        @Test
        void aListWhereAMappingIsExpected_isRejectedAtItsLine() {
            List<ValidationError> errors = errorsOf("""
                    templates:
                      - name: t
                        version: v1
                        presets:
                          - name: p
                            prebuilds:
                              - instances: 3
                    """);

            assertThat(errors).containsExactly(new ValidationError("p.yaml:7", "template t, preset p, prebuilds",
                    "must be a mapping (key: value), got a list"));
        }

        @Test
        void aMappingWhereTheTemplatesListIsExpected_isRejected() {
            assertThat(errorsOf("templates:\n  name: t\n")).containsExactly(
                    new ValidationError("p.yaml:2", "templates", "must be a list, got a mapping"));
        }

        @Test
        void aRootThatIsNotAMapping_isRejected() {
            assertThat(errorsOf("- templates\n")).containsExactly(new ValidationError("p.yaml:1", "file",
                    "must be a mapping with a 'templates' list, got a list"));
        }

        @ParameterizedTest(name = "instances: {0}")
        @CsvSource(delimiter = '|', value = {
                "two|the text 'two'",
                "\"3\"|the text '3'",
                "2.5|the number '2.5'",
                "true|the boolean 'true'",
                "[1]|a list"})
        void aNonIntegerInstances_isRejectedAtItsLine(String value, String described) {
            List<ValidationError> errors = errorsOf("""
                    templates:
                      - name: t
                        version: v1
                        presets:
                          - name: p
                            prebuilds:
                              ttl: 1h
                              instances: %s
                    """.formatted(value));

            assertThat(errors).containsExactly(new ValidationError("p.yaml:8",
                    "template t, preset p, prebuilds.instances", "must be a whole number, got " + described));
        }

        @Test
        void anInstancesBeyondAnInt_isRejectedWithTheRange() {
            assertThat(errorsOf("""
                    templates:
                      - {name: t, version: v1, presets: [{name: p, prebuilds: {instances: 99999999999}}]}
                    """)).containsExactly(new ValidationError("p.yaml:2", "template t, preset p, prebuilds.instances",
                    "must be between 0 and 1000, got 99999999999"));
        }

        @Test
        void aWindowInstancesThatIsText_isRejectedAtTheWindowLine() {
            List<ValidationError> errors = errorsOf("""
                    templates:
                      - name: t
                        version: v1
                        presets:
                          - name: p
                            prebuilds:
                              instances: 1
                              scheduling:
                                schedule:
                                  - cron: "* 8 * * *"
                                    instances: many
                    """);

            assertThat(errors).containsExactly(new ValidationError("p.yaml:11",
                    "template t, preset p, prebuilds.scheduling.schedule[0].instances",
                    "must be a whole number, got the text 'many'"));
        }

        @Test
        void aDeprecatedThatIsNotABoolean_isRejected() {
            assertThat(errorsOf("templates:\n  - {name: t, version: v1, deprecated: \"no\"}\n")).containsExactly(
                    new ValidationError("p.yaml:2", "template t, deprecated", "must be true or false, got the text 'no'"));
        }

        @Test
        void aParameterThatIsAList_isRejected() {
            assertThat(errorsOf("""
                    templates:
                      - name: t
                        version: v1
                        presets:
                          - name: p
                            parameters:
                              cpu: [1, 2]
                    """)).containsExactly(new ValidationError("p.yaml:7", "template t, preset p, parameters.cpu",
                    "must be a single value (text, number or true/false), got a list"));
        }

        @Test
        void aNameThatIsAMapping_isRejected() {
            assertThat(errorsOf("templates:\n  - version: v1\n    name: {a: b}\n")).containsExactly(
                    new ValidationError("p.yaml:3", "templates[0], name", "must be a single value, got a mapping"));
        }

        @Test
        void anUnknownKeyCloseToAKnownOne_suggestsIt() {
            assertThat(errorsOf("""
                    templates:
                      - name: t
                        version: v1
                        presets:
                          - name: p
                            prebuilds:
                              instance: 3
                    """)).containsExactly(new ValidationError("p.yaml:7", "template t, preset p, prebuilds",
                    "unknown key 'instance'; did you mean 'instances'?"));
        }

        @Test
        void aTransposedRootKey_suggestsTheRightOne() {
            assertThat(errorsOf("tempaltes: []\n")).containsExactly(
                    new ValidationError("p.yaml:1", "file", "unknown key 'tempaltes'; did you mean 'templates'?"));
        }

        @Test
        void anUnknownKeyFarFromEveryKnownOne_listsTheKnownKeys() {
            assertThat(errorsOf("templates:\n  - {name: t, version: v1, owner: me}\n")).containsExactly(
                    new ValidationError("p.yaml:2", "template t",
                            "unknown key 'owner'; expected one of: name, version, deprecated, deleted, presets, terraform"));
        }

        @Test
        void aTemplatesTerraformModule_isRead_validated_andAWrongBlockSaysWhere() {
            PresetsInput input = PresetsYaml.parse("""
                    templates:
                      - name: t
                        version: v1
                        terraform: {module: modules/dev}
                        presets: [{name: p, prebuilds: {instances: 1}}]
                    """, "p.yaml");
            assertThat(input.templates().get(0).terraform())
                    .isEqualTo(new PresetsInput.TerraformInput("p.yaml:4", "modules/dev"));
            assertThat(PresetsValidator.validate(input).templates().get(0).terraformModule()).isEqualTo("modules/dev");

            assertThat(errorsOf("templates:\n  - name: t\n    version: v1\n    terraform: {modul: x}\n"
                    + "    presets: [{name: p, prebuilds: {instances: 1}}]\n")).containsExactly(
                    new ValidationError("p.yaml:4", "template t, terraform", "unknown key 'modul'; did you mean 'module'?"));
            assertThat(errorsOf("templates:\n  - name: t\n    version: v1\n    terraform: modules/dev\n"
                    + "    presets: [{name: p, prebuilds: {instances: 1}}]\n"))
                    .extracting(ValidationError::toString).singleElement().asString()
                    .contains("p.yaml:4", "template t, terraform");
            assertThatThrownBy(() -> PresetsValidator.validate(PresetsYaml.parse(
                    "templates:\n  - name: t\n    version: v1\n    terraform: {module: \"\"}\n"
                            + "    presets: [{name: p, prebuilds: {instances: 1}}]\n", "p.yaml")))
                    .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> assertThat(e.errors())
                            .extracting(ValidationError::toString).singleElement().asString()
                            .contains("p.yaml:4", "template t, terraform.module", "is required"));
        }

        @Test
        void aRepeatedKey_isRejectedWithTheFirstPlace() {
            assertThat(errorsOf("templates:\n  - name: t\n    version: v1\n    version: v2\n")).containsExactly(
                    new ValidationError("p.yaml:4", "template t", "key 'version' appears more than once (first at p.yaml:3)"));
        }

        @Test
        void everyShapeError_isReported_notJustTheFirst() {
            List<ValidationError> errors = errorsOf("""
                    templates:
                      - name: a
                        version: v1
                        presets: {}
                      - name: b
                        version: v1
                        deleted: yes
                    """);

            assertThat(errors).extracting(ValidationError::source).containsExactly("p.yaml:4", "p.yaml:7");
            assertThat(errors).extracting(ValidationError::field).containsExactly("template a, presets", "template b, deleted");
        }
    }

    @Nested
    class GivenInvalidYaml {

        @Test
        void anUnclosedFlowSequence_isOneErrorWithItsLine() {
            List<ValidationError> errors = errorsOf("""
                    templates:
                      - name: t
                        version: v1
                        presets: [
                    """);

            assertThat(errors).hasSize(1);
            assertThat(errors.get(0).source()).isEqualTo("p.yaml:5");
            assertThat(errors.get(0).field()).isEqualTo("yaml");
            assertThat(errors.get(0).message()).contains("while parsing a flow node", "<stream end>");
        }

        @Test
        void aBadIndentation_namesTheLine() {
            List<ValidationError> errors = errorsOf("""
                    templates:
                      - name: t
                         version: v1
                    """);

            assertThat(errors).hasSize(1);
            assertThat(errors.get(0).source()).isEqualTo("p.yaml:3");
            assertThat(errors.get(0).field()).isEqualTo("yaml");
        }

        @Test
        void twoDocuments_areRejected() {
            List<ValidationError> errors = errorsOf("templates: []\n---\ntemplates: []\n");

            assertThat(errors).hasSize(1);
            assertThat(errors.get(0).message()).contains("single document");
            assertThat(errors.get(0).source()).startsWith("p.yaml:");
        }

        @ParameterizedTest(name = "[{index}]")
        @org.junit.jupiter.params.provider.MethodSource("io.warmpool.adapters.presets.PresetsYamlTest#deeplyNested")
        void aDeeplyNestedDocument_isOneSyntaxError_notAStackOverflow(String yaml) {
            assertThat(errorsOf(yaml)).containsExactly(new ValidationError("p.yaml", "yaml",
                    "the document is nested too deeply (a presets file needs about eight levels)"));
        }

        @Test
        void tooManyAliases_areRejected_ratherThanExpanded() {
            StringBuilder yaml = new StringBuilder("a: &a [x, x]\n");
            String previous = "a";
            for (int i = 0; i < 60; i++) {
                yaml.append("l").append(i).append(": &l").append(i).append(" [*").append(previous).append(", *")
                        .append(previous).append("]\n");
                previous = "l" + i;
            }

            assertThat(errorsOf(yaml.toString())).hasSize(1).first()
                    .satisfies(e -> assertThat(e.field()).isEqualTo("yaml"));
        }
    }

    static List<String> deeplyNested() {
        return List.of("[".repeat(200_000), "templates:\n" + "- ".repeat(100_000) + "x\n", "a: " + "{a: ".repeat(50_000));
    }

    @Nested
    class Suggestions {

        @ParameterizedTest(name = "{0} vs {1} = {2}")
        @CsvSource({"instance,instances,1", "tempaltes,templates,1", "name,name,0", "ttl,cron,4", "'',abc,3"})
        void distance_countsEditsAndTranspositions(String a, String b, int expected) {
            assertThat(PresetsYaml.distance(a, b)).isEqualTo(expected);
        }

        @Test
        void aShortKey_isNotMistakenForATypo() {
            assertThat(PresetsYaml.unknownKey("id", List.of("ttl", "name"))).contains("expected one of");
        }
    }
}

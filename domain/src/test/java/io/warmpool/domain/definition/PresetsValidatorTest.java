package io.warmpool.domain.definition;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.definition.PresetsInput.PrebuildsInput;
import io.warmpool.domain.definition.PresetsInput.PresetInput;
import io.warmpool.domain.definition.PresetsInput.SchedulingInput;
import io.warmpool.domain.definition.PresetsInput.TemplateInput;
import io.warmpool.domain.definition.PresetsInput.WindowInput;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Validation of presets files: every error named with its place; nothing built when any. */
class PresetsValidatorTest {

    static PresetInput preset(String name, Integer instances, String ttl, SchedulingInput scheduling) {
        return new PresetInput("f.yaml:5", name, Map.of("cpu", "2"), new PrebuildsInput("f.yaml:7", instances, ttl, scheduling));
    }

    static PresetsInput file(PresetInput... presets) {
        return new PresetsInput("f.yaml", List.of(new TemplateInput("f.yaml:2", "python-dev", "v3", false, false, List.of(presets))));
    }

    static List<ValidationError> errorsOf(PresetsInput input) {
        try {
            PresetsValidator.validate(input);
            return List.of();
        } catch (InvalidDefinitionException e) {
            return e.errors();
        }
    }

    @Test
    void givenAValidFile_itBecomesADocument() {
        PresetsDocument doc = PresetsValidator.validate(file(preset("small", 3, "24h", null), preset("large", 0, null, null)));
        TemplateDefinition t = doc.templates().get(0);
        assertThat(t.name()).isEqualTo("python-dev");
        assertThat(t.presets()).extracting(PresetDefinition::name).containsExactly("small", "large");
        assertThat(t.presets().get(0).policy().ttl()).isEqualTo(Duration.ofHours(24));
        assertThat(t.presets().get(0).policy().instances()).isEqualTo(3);
        assertThat(doc.parametersById()).containsEntry(new PresetId("python-dev", "v3", "small"), Map.of("cpu", "2"));
    }

    @Test
    void givenAPresetWithoutPrebuilds_itKeepsNoPool() {
        PresetsDocument doc = PresetsValidator.validate(
                file(new PresetInput("f.yaml:5", "bare", Map.of(), null)));
        assertThat(doc.templates().get(0).presets().get(0).policy().instances()).isZero();
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(preset("small", 1001, null, null), "template python-dev, preset small, prebuilds.instances", "between 0 and 1000, got 1001"),
                Arguments.of(preset("small", -1, null, null), "template python-dev, preset small, prebuilds.instances", "got -1"),
                Arguments.of(preset("small", null, null, null), "template python-dev, preset small, prebuilds.instances", "is required"),
                Arguments.of(preset("small", 1, "soon", null), "template python-dev, preset small, prebuilds.ttl", "'soon' is not a duration"),
                Arguments.of(preset("small", 1, "1000000000000d", null), "template python-dev, preset small, prebuilds.ttl", "at most 3650d"),
                Arguments.of(preset("Small", 1, null, null), "template python-dev, preset Small, name", "must match [a-z0-9][a-z0-9-]*"),
                Arguments.of(preset("-x", 1, null, null), "template python-dev, preset -x, name", "must match"),
                Arguments.of(preset("a".repeat(64), 1, null, null), "template python-dev, preset " + "a".repeat(64) + ", name", "at most 63"),
                Arguments.of(preset("small", 1, null, new SchedulingInput("f.yaml:9", "Mars/Olympus", List.of())),
                        "template python-dev, preset small, scheduling.timezone", "'Mars/Olympus' is not an IANA timezone"),
                Arguments.of(preset("small", 1, null, new SchedulingInput("f.yaml:9", "+02:00", List.of())),
                        "template python-dev, preset small, scheduling.timezone", "is not an IANA timezone"));
    }

    @ParameterizedTest(name = "[{index}] {1}: {2}")
    @MethodSource("badValues")
    void givenABadValue_theErrorNamesItsFieldAndSource(PresetInput bad, String field, String message) {
        List<ValidationError> errors = errorsOf(file(bad));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).field()).isEqualTo(field);
        assertThat(errors.get(0).message()).contains(message);
        assertThat(errors.get(0).source()).startsWith("f.yaml:");
    }

    @Test
    void everyErrorIsReported_notJustTheFirst() {
        PresetsInput input = new PresetsInput("f.yaml", List.of(
                new TemplateInput("f.yaml:2", "Bad Name", "v1", false, false, List.of(preset("ok", 1, null, null))),
                new TemplateInput("f.yaml:9", "good", null, false, false, List.of(preset("x", 5000, "1x", null), preset("x", 1, null, null)))));
        List<ValidationError> errors = errorsOf(input);
        assertThat(errors).extracting(ValidationError::toString).containsExactlyInAnyOrder(
                "f.yaml:2: template Bad Name, name: 'Bad Name' must match [a-z0-9][a-z0-9-]* (lowercase letters, digits, '-')",
                "f.yaml:9: template good, version: is required",
                "f.yaml:7: template good, preset x, prebuilds.instances: must be between 0 and 1000, got 5000",
                "f.yaml:7: template good, preset x, prebuilds.ttl: '1x' is not a duration; write it like 15s, 1m30s, 24h or 250ms",
                "f.yaml:5: template good, preset x: is listed more than once in this template");
    }

    @Test
    void givenDuplicateTemplatesOrNoTemplates_rejected() {
        TemplateInput t = new TemplateInput("f.yaml:2", "a", "v1", null, null, List.of());
        assertThat(errorsOf(new PresetsInput("f.yaml", List.of(t, t)))).extracting(ValidationError::message)
                .containsExactly("is listed more than once; list each template once, with the version to make active");
        assertThat(errorsOf(new PresetsInput("f.yaml", List.of()))).extracting(ValidationError::message)
                .containsExactly("at least one template is required");
        assertThat(errorsOf(new PresetsInput("f.yaml", null))).hasSize(1);
    }

    @Test
    void givenAParameterWithoutValue_rejectedWithItsName() {
        Map<String, String> params = new java.util.HashMap<>();
        params.put("memory", null);
        PresetsInput input = file(new PresetInput("f.yaml:5", "small", params, null));
        assertThat(errorsOf(input)).extracting(ValidationError::field)
                .containsExactly("template python-dev, preset small, parameters.memory");
    }

    @Test
    void givenAWindowWithoutInstances_rejectedNamingTheWindow() {
        PresetsInput input = file(preset("small", 1, null, new SchedulingInput("f.yaml:9", "UTC",
                List.of(new WindowInput("f.yaml:10", "* 8-18 * * 1-5", null)))));
        assertThat(errorsOf(input)).extracting(ValidationError::field)
                .contains("template python-dev, preset small, window 1 (* 8-18 * * 1-5), instances");
    }

    @Test
    void changedParametersOfAnExistingVersionAreReported_unchangedOrNewOnesAreNot() {
        PresetsDocument doc = PresetsValidator.validate(file(preset("small", 1, null, null), preset("large", 1, null, null)));
        Map<PresetId, Map<String, String>> stored = Map.of(
                new PresetId("python-dev", "v3", "small"), Map.of("cpu", "2"),
                new PresetId("python-dev", "v3", "large"), Map.of("cpu", "8"));
        List<ValidationError> errors = PresetsValidator.immutabilityErrors(doc, stored);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).field()).isEqualTo("template python-dev, version v3, preset large, parameters");
        assertThat(errors.get(0).message()).contains("publish a new version");
        assertThat(errors.get(0).source()).as("the preset's place in the file").isEqualTo("f.yaml:5");
        assertThat(PresetsValidator.immutabilityErrors(doc, Map.of())).isEmpty();
    }

    @Test
    void aDeprecatedOrDeletedTemplateKeepsItsFlags() {
        PresetsDocument doc = PresetsValidator.validate(new PresetsInput("f.yaml", List.of(
                new TemplateInput("f.yaml:2", "old", "v1", true, null, List.of()),
                new TemplateInput("f.yaml:4", "gone", "v1", null, true, List.of()))));
        assertThat(doc.templates()).extracting(TemplateDefinition::deprecated).containsExactly(true, false);
        assertThat(doc.templates()).extracting(TemplateDefinition::deleted).containsExactly(false, true);
    }

    @Test
    void overlappingWindowsAreRejectedNamingTemplatePresetAndBothWindows() {
        PresetsInput input = file(preset("small", 1, null, new SchedulingInput("f.yaml:9", "Europe/Berlin", List.of(
                new WindowInput("f.yaml:10", "* 8-18 * * 1-5", 6),
                new WindowInput("f.yaml:11", "* 18-20 * * *", 2)))));
        assertThat(errorsOf(input)).extracting(ValidationError::toString).containsExactly(
                "f.yaml:11: template python-dev, preset small, window 2 (* 18-20 * * *): overlaps window 1 (* 8-18 * * 1-5): "
                        + "some local date and hour match both");
    }

    @Test
    void badCronsAndWindowsThatMatchNoDateAreRejectedWithTheirPlace() {
        PresetsInput input = file(preset("small", 1, null, new SchedulingInput("f.yaml:9", "UTC", List.of(
                new WindowInput("f.yaml:10", "30 8 * * *", 6),
                new WindowInput("f.yaml:11", "* 8 31 2 *", 2)))));
        List<ValidationError> errors = errorsOf(input);
        assertThat(errors).extracting(ValidationError::field).containsExactly(
                "template python-dev, preset small, window 1 (30 8 * * *), cron",
                "template python-dev, preset small, window 2 (* 8 31 2 *), cron");
        assertThat(errors.get(0).message()).contains("minute field must be '*'");
        assertThat(errors.get(1).message()).contains("matches no real date");
    }

    @Test
    void disjointWindowsInAnIanaZoneMakeASchedule() {
        PresetsDocument doc = PresetsValidator.validate(file(preset("small", 2, null, new SchedulingInput("f.yaml:9", "Europe/Berlin", List.of(
                new WindowInput("f.yaml:10", "* 8-18 * * 1-5", 6),
                new WindowInput("f.yaml:11", "* 8-18 * * 0,6", 1))))));
        var policy = doc.templates().get(0).presets().get(0).policy();
        assertThat(policy.schedule().zone().getId()).isEqualTo("Europe/Berlin");
        // Monday 2026-03-02 09:30 Berlin = 08:30 UTC: the weekday window; 20:00 Berlin: outside every window
        assertThat(policy.instancesAt(java.time.Instant.parse("2026-03-02T08:30:00Z"))).isEqualTo(6);
        assertThat(policy.instancesAt(java.time.Instant.parse("2026-03-02T19:00:00Z"))).isEqualTo(2);
        // Saturday 2026-03-07 10:00 Berlin
        assertThat(policy.instancesAt(java.time.Instant.parse("2026-03-07T09:00:00Z"))).isEqualTo(1);
    }

    static PresetsInput withParameters(Map<String, String> parameters) {
        return new PresetsInput("f.yaml", List.of(new TemplateInput("f.yaml:2", "python-dev", "v3", false, false, List.of(
                new PresetInput("f.yaml:5", "small", parameters, new PrebuildsInput("f.yaml:7", 1, null, null))))));
    }

    @Test
    void givenParametersWithNulOrAnUnpairedSurrogate_rejectedNamingTheParameterAndPosition() {
        List<ValidationError> errors = errorsOf(withParameters(Map.of("cpu", "2\u00004", "memory", "x\ud800", "a\u0000", "v")));

        assertThat(errors).extracting(ValidationError::field).containsExactlyInAnyOrder(
                "template python-dev, preset small, parameters.cpu",
                "template python-dev, preset small, parameters.memory",
                "template python-dev, preset small, parameters");
        assertThat(errors).extracting(ValidationError::message).anySatisfy(m -> assertThat(m).contains("NUL", "position 2"))
                .anySatisfy(m -> assertThat(m).contains("unpaired surrogate", "U+D800", "position 2"))
                .anySatisfy(m -> assertThat(m).startsWith("parameter names must not contain the NUL"));
    }

    @Test
    void givenParametersWithQuotesShellAndSqlMetacharactersNewlinesAndEmoji_keptExactly() {
        Map<String, String> parameters = Map.of(
                "sql", "'; drop table presets; --",
                "shell", "$(touch /tmp/x) `id` ; rm -rf / && echo \"$HOME\" | cat > /dev/null",
                "newlines", "line 1\nline 2\r\n\ttab",
                "unicode", "ü 日本語 😀 \u202e");

        PresetsDocument doc = PresetsValidator.validate(withParameters(parameters));

        assertThat(doc.templates().get(0).presets().get(0).parameters()).isEqualTo(parameters);
    }
}

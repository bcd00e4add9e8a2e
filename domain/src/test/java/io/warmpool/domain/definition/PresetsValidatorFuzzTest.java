package io.warmpool.domain.definition;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.domain.Names;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.definition.PresetsInput.PrebuildsInput;
import io.warmpool.domain.definition.PresetsInput.PresetInput;
import io.warmpool.domain.definition.PresetsInput.SchedulingInput;
import io.warmpool.domain.definition.PresetsInput.TemplateInput;
import io.warmpool.domain.definition.PresetsInput.WindowInput;
import io.warmpool.property.Gen;
import io.warmpool.property.Property;
import io.warmpool.property.Tally;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bad input, presets (SPEC §7), at the domain's door: whatever a reader hands over — nulls anywhere, names with
 * any characters, counts from {@code Integer.MIN_VALUE} to {@code MAX_VALUE}, durations, crons and timezones of any
 * text, parameters of any size and content — {@link PresetsValidator#validate} returns a document that obeys every
 * rule or throws {@link InvalidDefinitionException} with placed errors; never another exception. Seeds are fixed.
 */
class PresetsValidatorFuzzTest {

    @Test
    void anyInputIsValidatedOrRejected_neverAnotherFailure() {
        Tally outcomes = new Tally();
        Property.forAll(8101, 500, inputs(), input -> outcomes.add(validate(input)));
        outcomes.assertAtLeastPercent("accepted", 3).assertAtLeastPercent("rejected", 50);
    }

    private static String validate(PresetsInput input) {
        PresetsDocument document;
        try {
            document = PresetsValidator.validate(input);
        } catch (InvalidDefinitionException e) {
            assertThat(e.errors()).allSatisfy(error -> {
                assertThat(error.field()).isNotBlank();
                assertThat(error.message()).isNotBlank();
            });
            return "rejected";
        }
        // What is accepted obeys every rule the store and the provisioners rely on.
        assertThat(document.templates()).isNotEmpty();
        document.templates().forEach(t -> {
            assertThat(Names.problem(t.name())).isEmpty();
            assertThat(Names.problem(t.version())).isEmpty();
            t.presets().forEach(p -> {
                assertThat(Names.problem(p.name())).isEmpty();
                assertThat(p.policy().instances()).isBetween(0, PrebuildPolicy.MAX_INSTANCES);
                assertThat(p.policy().ttl()).isBetween(java.time.Duration.ZERO, PrebuildPolicy.MAX_TTL);
                p.policy().schedule().windows().forEach(w -> assertThat(w.instances()).isBetween(0, PrebuildPolicy.MAX_INSTANCES));
                p.parameters().forEach((k, v) -> {
                    assertThat(k).isNotBlank().hasSizeLessThanOrEqualTo(PresetsValidator.MAX_PARAMETER_NAME);
                    assertThat(v).isNotNull().hasSizeLessThanOrEqualTo(PresetsValidator.MAX_PARAMETER_VALUE);
                    assertThat(StoredText.problem(k)).as("parameter name %s", k).isEmpty();
                    assertThat(StoredText.problem(v)).as("parameter value %s", v).isEmpty();
                });
            });
        });
        return "accepted";
    }

    // ---- generators -----------------------------------------------------------------------------------------

    /** Text that is mostly close to valid, sometimes anything at all. */
    static Gen<String> text(String... good) {
        return Gen.frequency(
                Gen.weighted(40, Gen.of(good)),
                Gen.weighted(2, Gen.of("", " ", "UPPER", "-lead", "a b", "ü", "😀", "a\u0000b",
                        "'; drop table presets; --", "$(touch /tmp/x)", "`id`", "a".repeat(64), "\ud800")),
                Gen.weighted(1, Gen.anyStrings(20))).orNull(0.02);
    }

    static Gen<Integer> count() {
        return Gen.frequency(
                Gen.weighted(40, Gen.ints(0, 10)),
                Gen.weighted(2, Gen.ints(Integer.MIN_VALUE, Integer.MAX_VALUE)),
                Gen.weighted(1, Gen.of(-1, 1000, 1001, Integer.MIN_VALUE, Integer.MAX_VALUE))).orNull(0.02);
    }

    static Gen<Map<String, String>> parameters() {
        Gen<String> key = text("cpu", "memory", "image", "a-b", "a_b", "A", "x.y");
        Gen<String> value = Gen.frequency(
                Gen.weighted(10, text("2", "4Gi", "golang:1.22", "", "line\nbreak", "'quoted'", "\"dq\"")),
                Gen.weighted(2, Gen.of("a\u0000b", "\ud800", "x\udc00", "😀", "'; drop table presets; --",
                        "$(touch /tmp/x)", "`id`")),
                Gen.weighted(1, Gen.anyStrings(4090, 4100)));
        // HashMap, not Map.entry: a reader may hand over null keys or values.
        Gen<String[]> entry = random -> new String[] {key.next(random), value.next(random)};
        return entry.list(0, 4).map(entries -> {
            Map<String, String> m = new HashMap<>();
            entries.forEach(e -> m.put(e[0], e[1]));
            return m;
        }).orNull(0.1);
    }

    static Gen<PresetsInput> inputs() {
        Gen<String> cron = text("* 8-18 * * 1-5", "* 0-7 * * *", "* * 31 2 *", "* 8 * * *", "*/2 * * * *", "* */5 * * 0,6",
                "@daily", "* 25 * * *", "* 1-2,3-4/1 1 1 7", "* 99999999999999999999 * * *");
        Gen<Integer> count = count();
        Gen<WindowInput> window = random -> new WindowInput("f.yaml:9", cron.next(random), count.next(random));
        Gen<String> timezone = text("UTC", "Europe/Berlin", "America/New_York", "+02:00", "Z", "GMT", "Mars/Olympus",
                "europe/berlin");
        Gen<List<WindowInput>> windows = window.orNull(0.1).list(0, 4).orNull(0.2);
        Gen<SchedulingInput> scheduling = random -> new SchedulingInput("f.yaml:8", timezone.next(random), windows.next(random));
        Gen<String> ttl = text("24h", "30m", "0", "1m30s", "3650d", "3651d", "-1s", "1y", "9223372036854775807ms",
                "106751991167301d");
        Gen<SchedulingInput> maybeScheduling = scheduling.orNull(0.5);
        Gen<Double> target = Gen.frequency(Gen.weighted(3, Gen.doubles(0, 1)),
                Gen.weighted(1, Gen.of(0.0, 1.0, -0.5, 2.0, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE)))
                .orNull(0.2);
        Gen<String> lookback = text("14d", "1h", "59m", "90d", "91d", "0", "-1h", "2w", "106751991167301d");
        Gen<PresetsInput.AutoscaleInput> autoscale = random -> new PresetsInput.AutoscaleInput("f.yaml:10",
                target.next(random), count.next(random), count.next(random), lookback.next(random));
        Gen<PresetsInput.AutoscaleInput> maybeAutoscale = autoscale.orNull(0.7);
        Gen<PrebuildsInput> prebuilds = random -> new PrebuildsInput("f.yaml:7", count.next(random), ttl.next(random),
                maybeScheduling.next(random), null, null, maybeAutoscale.next(random));
        Gen<String> presetName = text("small", "large", "p", "a-1");
        Gen<Map<String, String>> parameters = parameters();
        Gen<PrebuildsInput> maybePrebuilds = prebuilds.orNull(0.1);
        Gen<PresetInput> preset = random -> new PresetInput("f.yaml:5", presetName.next(random), parameters.next(random),
                maybePrebuilds.next(random));
        Gen<String> templateName = text("python-dev", "go", "t");
        Gen<String> version = text("v1", "v3", "3");
        Gen<Boolean> flag = Gen.booleans().orNull(0.5);
        Gen<List<PresetInput>> presets = preset.orNull(0.05).list(0, 3).orNull(0.1);
        Gen<TemplateInput> template = random -> new TemplateInput("f.yaml:2", templateName.next(random),
                version.next(random), flag.next(random), flag.next(random), presets.next(random));
        return template.orNull(0.05).list(0, 3).orNull(0.05).map(templates -> new PresetsInput("f.yaml:1", templates));
    }

    /** Text that a store and an environment variable can hold exactly; mirrors the validator's rule. */
    static final class StoredText {
        static java.util.Optional<String> problem(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\u0000') {
                    return java.util.Optional.of("NUL");
                }
                if (Character.isHighSurrogate(c) && (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))) {
                    return java.util.Optional.of("unpaired high surrogate");
                }
                if (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
                    return java.util.Optional.of("unpaired low surrogate");
                }
            }
            return java.util.Optional.empty();
        }
    }
}

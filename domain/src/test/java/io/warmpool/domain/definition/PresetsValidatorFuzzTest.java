package io.warmpool.domain.definition;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.domain.Names;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.definition.PresetsInput.PrebuildsInput;
import io.warmpool.domain.definition.PresetsInput.PresetInput;
import io.warmpool.domain.definition.PresetsInput.SchedulingInput;
import io.warmpool.domain.definition.PresetsInput.TemplateInput;
import io.warmpool.domain.definition.PresetsInput.WindowInput;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Bad input, presets (SPEC §7), at the domain's door: whatever a reader hands over — nulls anywhere, names with
 * any characters, counts from {@code Integer.MIN_VALUE} to {@code MAX_VALUE}, durations, crons and timezones of any
 * text, parameters of any size and content — {@link PresetsValidator#validate} returns a document that obeys every
 * rule or throws {@link InvalidDefinitionException} with placed errors; never another exception. Seeds are fixed.
 */
class PresetsValidatorFuzzTest {

    @Property(tries = 500, seed = "8101")
    void anyInputIsValidatedOrRejected_neverAnotherFailure(@ForAll("inputs") PresetsInput input) {
        PresetsDocument document;
        try {
            document = PresetsValidator.validate(input);
        } catch (InvalidDefinitionException e) {
            Statistics.collect("rejected");
            assertThat(e.errors()).allSatisfy(error -> {
                assertThat(error.field()).isNotBlank();
                assertThat(error.message()).isNotBlank();
            });
            return;
        }
        Statistics.collect("accepted");
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
        Statistics.coverage(c -> {
            c.check("accepted").percentage(p -> p >= 3);
            c.check("rejected").percentage(p -> p >= 50);
        });
    }

    // ---- generators -----------------------------------------------------------------------------------------

    /** Text that is mostly close to valid, sometimes anything at all. */
    static Arbitrary<String> text(String... good) {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(40, Arbitraries.of(good)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of("", " ", "UPPER", "-lead", "a b", "ü", "😀", "a\u0000b",
                        "'; drop table presets; --", "$(touch /tmp/x)", "`id`", "a".repeat(64), "\ud800")),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().all().ofMaxLength(20))).injectNull(0.02);
    }

    static Arbitrary<Integer> count() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(40, Arbitraries.integers().between(0, 10)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers()),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(-1, 1000, 1001, Integer.MIN_VALUE, Integer.MAX_VALUE))).injectNull(0.02);
    }

    static Arbitrary<Map<String, String>> parameters() {
        Arbitrary<String> key = text("cpu", "memory", "image", "a-b", "a_b", "A", "x.y");
        Arbitrary<String> value = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(10, text("2", "4Gi", "golang:1.22", "", "line\nbreak", "'quoted'", "\"dq\"")),
                net.jqwik.api.Tuple.of(2, Arbitraries.of("a\u0000b", "\ud800", "x\udc00", "😀", "'; drop table presets; --",
                        "$(touch /tmp/x)", "`id`")),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().all().ofMinLength(4090).ofMaxLength(4100)));
        // HashMap, not Map.entry: a reader may hand over null keys or values.
        return Combinators.combine(key, value).as((k, v) -> new String[] {k, v}).list().ofMaxSize(4).map(entries -> {
            Map<String, String> m = new HashMap<>();
            entries.forEach(e -> m.put(e[0], e[1]));
            return m;
        }).injectNull(0.1);
    }

    @Provide
    Arbitrary<PresetsInput> inputs() {
        Arbitrary<WindowInput> window = Combinators.combine(
                text("* 8-18 * * 1-5", "* 0-7 * * *", "* * 31 2 *", "* 8 * * *", "*/2 * * * *", "* */5 * * 0,6", "@daily",
                        "* 25 * * *", "* 1-2,3-4/1 1 1 7", "* 99999999999999999999 * * *"),
                count()).as((cron, n) -> new WindowInput("f.yaml:9", cron, n));
        Arbitrary<SchedulingInput> scheduling = Combinators.combine(
                text("UTC", "Europe/Berlin", "America/New_York", "+02:00", "Z", "GMT", "Mars/Olympus", "europe/berlin"),
                window.injectNull(0.1).list().ofMaxSize(4).injectNull(0.2))
                .as((tz, ws) -> new SchedulingInput("f.yaml:8", tz, ws));
        Arbitrary<PrebuildsInput> prebuilds = Combinators.combine(count(),
                text("24h", "30m", "0", "1m30s", "3650d", "3651d", "-1s", "1y", "9223372036854775807ms", "106751991167301d"),
                scheduling.injectNull(0.5))
                .as((n, ttl, s) -> new PrebuildsInput("f.yaml:7", n, ttl, s));
        Arbitrary<PresetInput> preset = Combinators.combine(text("small", "large", "p", "a-1"), parameters(),
                        prebuilds.injectNull(0.1))
                .as((name, params, pb) -> new PresetInput("f.yaml:5", name, params, pb));
        Arbitrary<TemplateInput> template = Combinators.combine(text("python-dev", "go", "t"), text("v1", "v3", "3"),
                        Arbitraries.of(true, false).injectNull(0.5), Arbitraries.of(true, false).injectNull(0.5),
                        preset.injectNull(0.05).list().ofMaxSize(3).injectNull(0.1))
                .as((name, version, dep, del, presets) -> new TemplateInput("f.yaml:2", name, version, dep, del, presets));
        return template.injectNull(0.05).list().ofMaxSize(3).injectNull(0.05)
                .map(templates -> new PresetsInput("f.yaml:1", templates));
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

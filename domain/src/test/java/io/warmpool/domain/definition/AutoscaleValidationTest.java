package io.warmpool.domain.definition;

import static io.warmpool.domain.definition.PresetsValidatorTest.errorsOf;
import static io.warmpool.domain.definition.PresetsValidatorTest.file;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.domain.Autoscale;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.definition.PresetsInput.AutoscaleInput;
import io.warmpool.domain.definition.PresetsInput.PrebuildsInput;
import io.warmpool.domain.definition.PresetsInput.PresetInput;
import io.warmpool.domain.definition.PresetsInput.SchedulingInput;
import io.warmpool.domain.definition.PresetsInput.WindowInput;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** R13 — {@code prebuilds.autoscale} in a presets file: validated with the file's usual errors, each with its place. */
class AutoscaleValidationTest {

    private static final String PLACE = "template python-dev, preset small, prebuilds.";

    private static PresetInput preset(Integer instances, AutoscaleInput autoscale, SchedulingInput scheduling) {
        return new PresetInput("f.yaml:5", "small", Map.of(),
                new PrebuildsInput("f.yaml:7", instances, "24h", scheduling, null, null, autoscale));
    }

    private static AutoscaleInput autoscale(Double target, Integer min, Integer max, String lookback) {
        return new AutoscaleInput("f.yaml:9", target, min, max, lookback);
    }

    private static PrebuildPolicy policyOf(PresetInput preset) {
        return PresetsValidator.validate(file(preset)).templates().get(0).presets().get(0).policy();
    }

    @Test
    void givenAFullBlock_itBecomesThePolicysAutoscale() {
        PrebuildPolicy policy = policyOf(preset(null, autoscale(0.99, 1, 20, "7d"), null));
        assertThat(policy.autoscale()).isEqualTo(new Autoscale(0.99, 1, 20, Duration.ofDays(7)));
        assertThat(policy.instances()).isZero();
        assertThat(policy.ttl()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void givenOnlyTargetAndMax_minIsZeroAndLookbackFourteenDays() {
        PrebuildPolicy policy = policyOf(preset(null, autoscale(0.95, null, 5, null), null));
        assertThat(policy.autoscale()).isEqualTo(new Autoscale(0.95, 0, 5, Duration.ofDays(14)));
    }

    @Test
    void givenASchedule_itIsKeptAsTheFloor() {
        SchedulingInput scheduling = new SchedulingInput("f.yaml:12", "Europe/Berlin",
                List.of(new WindowInput("f.yaml:14", "* 8-18 * * 1-5", 4)));
        PrebuildPolicy policy = policyOf(preset(null, autoscale(0.99, 0, 20, null), scheduling));
        assertThat(policy.schedule().windows()).hasSize(1);
        assertThat(policy.autoscale()).isNotNull();
    }

    @Test
    void givenNoAutoscale_instancesIsStillRequired() {
        assertThat(errorsOf(file(preset(null, null, null))))
                .anySatisfy(e -> assertThat(e.toString()).contains(PLACE + "instances: is required"));
    }

    static Stream<Arguments> badBlocks() {
        return Stream.of(
                Arguments.of(5, autoscale(0.99, 0, 20, null), "instances",
                        "must not be set with prebuilds.autoscale"),
                Arguments.of(0, autoscale(0.99, 0, 20, null), "instances",
                        "must not be set with prebuilds.autoscale"),
                Arguments.of(null, autoscale(null, 0, 20, null), "autoscale.target_hit_rate",
                        "is required: the share of claims that should find a ready prebuild"),
                Arguments.of(null, autoscale(1.0, 0, 20, null), "autoscale.target_hit_rate",
                        "must be between 0 and 1 (exclusive), got 1.0"),
                Arguments.of(null, autoscale(0.0, 0, 20, null), "autoscale.target_hit_rate",
                        "must be between 0 and 1 (exclusive), got 0.0"),
                Arguments.of(null, autoscale(Double.NaN, 0, 20, null), "autoscale.target_hit_rate",
                        "must be between 0 and 1 (exclusive), got NaN"),
                Arguments.of(null, autoscale(0.99, 0, null, null), "autoscale.max", "is required (0 to 1000)"),
                Arguments.of(null, autoscale(0.99, 0, 1001, null), "autoscale.max",
                        "must be between 0 and 1000, got 1001"),
                Arguments.of(null, autoscale(0.99, -1, 20, null), "autoscale.min",
                        "must be between 0 and 1000, got -1"),
                Arguments.of(null, autoscale(0.99, 21, 20, null), "autoscale.min", "must be at most max (20), got 21"),
                Arguments.of(null, autoscale(0.99, 0, 20, "59m"), "autoscale.lookback",
                        "must be between 1h and 90d, got 59m"),
                Arguments.of(null, autoscale(0.99, 0, 20, "91d"), "autoscale.lookback",
                        "must be between 1h and 90d, got 91d"),
                Arguments.of(null, autoscale(0.99, 0, 20, "two weeks"), "autoscale.lookback", "is not a duration"));
    }

    @ParameterizedTest(name = "instances {0}, {1} → {2}: {3}")
    @MethodSource("badBlocks")
    void givenABadBlock_theErrorNamesItsPlace(Integer instances, AutoscaleInput block, String field, String message) {
        List<ValidationError> errors = errorsOf(file(preset(instances, block, null)));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).field()).isEqualTo(PLACE + field);
        assertThat(errors.get(0).message()).contains(message);
        assertThat(errors.get(0).source()).isIn("f.yaml:7", "f.yaml:9");
    }

    @Test
    void givenLimits_theyAreAccepted() {
        assertThat(policyOf(preset(null, autoscale(0.5, 1000, 1000, "1h"), null)).autoscale())
                .isEqualTo(new Autoscale(0.5, 1000, 1000, Duration.ofHours(1)));
        assertThat(policyOf(preset(null, autoscale(1e-9, 0, 0, "90d"), null)).autoscale().max()).isZero();
    }

    @Test
    void givenSeveralProblems_everyOneIsReported() {
        List<ValidationError> errors = errorsOf(file(preset(3, autoscale(2.0, 30, 20, "0"), null)));
        assertThat(errors).extracting(ValidationError::field).containsExactlyInAnyOrder(
                PLACE + "instances", PLACE + "autoscale.target_hit_rate", PLACE + "autoscale.min",
                PLACE + "autoscale.lookback");
    }
}

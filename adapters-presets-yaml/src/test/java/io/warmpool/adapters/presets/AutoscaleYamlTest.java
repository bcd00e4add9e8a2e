package io.warmpool.adapters.presets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.domain.Autoscale;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.definition.InvalidDefinitionException;
import io.warmpool.domain.definition.PresetsInput;
import io.warmpool.domain.definition.PresetsValidator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code prebuilds.autoscale} (R13), read and validated. */
class AutoscaleYamlTest {

    private static final String FILE = """
            templates:
              - name: python-dev
                version: v3
                presets:
                  - name: small
                    prebuilds: %s
            """;

    private static PresetsInput.AutoscaleInput inputOf(String prebuilds) {
        return PresetsYaml.parse(FILE.formatted(prebuilds), "p.yaml").templates().get(0).presets().get(0).prebuilds()
                .autoscale();
    }

    private static PrebuildPolicy policyOf(String prebuilds) {
        return PresetsValidator.validate(PresetsYaml.parse(FILE.formatted(prebuilds), "p.yaml"))
                .templates().get(0).presets().get(0).policy();
    }

    @Test
    void givenTheSpecsBlock_itBecomesThePolicy() {
        PrebuildPolicy policy = policyOf("{ttl: 8h, autoscale: {target_hit_rate: 0.99, min: 0, max: 20, lookback: 14d}}");
        assertThat(policy.autoscale()).isEqualTo(new Autoscale(0.99, 0, 20, Duration.ofDays(14)));
        assertThat(policy.instances()).isZero();
        assertThat(policy.ttl()).isEqualTo(Duration.ofHours(8));
    }

    @Test
    void givenABlockOnItsOwnLines_itIsReadWithTheLineOfItsFirstKey() {
        PresetsInput.AutoscaleInput in = PresetsYaml.parse("""
                templates:
                  - name: python-dev
                    version: v3
                    presets:
                      - name: small
                        prebuilds:
                          autoscale:
                            target_hit_rate: 9.5e-1
                            max: 7
                          scheduling:
                            timezone: Europe/Berlin
                            schedule:
                              - {cron: "* 8-18 * * 1-5", instances: 2}
                """, "p.yaml").templates().get(0).presets().get(0).prebuilds().autoscale();
        assertThat(in).isEqualTo(new PresetsInput.AutoscaleInput("p.yaml:8", 0.95, null, 7, null));
    }

    @Test
    void theReadmesExample_isValid() {
        // README.md, "Demand-driven sizing (SPEC R13)", word for word under a template
        PrebuildPolicy policy = PresetsValidator.validate(PresetsYaml.parse("""
                templates:
                  - name: python-dev
                    version: v3
                    presets:
                    - name: small
                      parameters: {cpu: "2", memory: 4Gi}
                      prebuilds:
                        ttl: 24h
                        autoscale:
                          target_hit_rate: 0.99   # required: the share of claims that should find a ready prebuild, in (0, 1)
                          max: 20                 # required: never more than this, 0-1000
                          min: 1                  # optional, default 0: never fewer (outside windows too)
                          lookback: 14d           # optional, default 14d: how far back claims count, 1h-90d
                        scheduling:               # optional: a window that holds is a floor under the demand's number
                          timezone: Europe/Berlin
                          schedule:
                            - {cron: "* 8-9 * * 1", instances: 4}
                """, "README.md")).templates().get(0).presets().get(0).policy();
        assertThat(policy.autoscale()).isEqualTo(new Autoscale(0.99, 1, 20, Duration.ofDays(14)));
        assertThat(policy.schedule().windows()).hasSize(1);
    }

    @Test
    void givenAWholeNumberTarget_itIsReadAsANumberAndRejectedByTheValidator() {
        assertThat(inputOf("{autoscale: {target_hit_rate: 1, max: 3}}").targetHitRate()).isEqualTo(1.0);
        assertThatThrownBy(() -> policyOf("{autoscale: {target_hit_rate: 1, max: 3}}"))
                .isInstanceOf(InvalidDefinitionException.class)
                .hasMessageContaining("template python-dev, preset small, prebuilds.autoscale.target_hit_rate: "
                        + "must be between 0 and 1 (exclusive), got 1.0");
    }

    @Test
    void givenSpecialFloats_theyAreNumbersTheValidatorRejects() {
        assertThat(inputOf("{autoscale: {target_hit_rate: .inf, max: 3}}").targetHitRate()).isInfinite();
        assertThat(inputOf("{autoscale: {target_hit_rate: -.Inf, max: 3}}").targetHitRate()).isNegative();
        assertThat(inputOf("{autoscale: {target_hit_rate: .nan, max: 3}}").targetHitRate()).isNaN();
    }

    @Test
    void givenTextWhereANumberBelongs_itIsAShapeError() {
        assertThat(PresetsYamlTest.errorsOf(FILE.formatted("{autoscale: {target_hit_rate: \"0.99\", max: [1]}}")))
                .anySatisfy(e -> assertThat(e.toString()).contains(
                        "prebuilds.autoscale.target_hit_rate: must be a number, got the text '0.99'"))
                .anySatisfy(e -> assertThat(e.toString()).contains(
                        "prebuilds.autoscale.max: must be a whole number, got a list"));
    }

    @Test
    void givenAutoscaleWithInstances_itIsRefusedNamingThePlace() {
        assertThatThrownBy(() -> policyOf("{instances: 3, autoscale: {target_hit_rate: 0.99, max: 20}}"))
                .isInstanceOf(InvalidDefinitionException.class)
                .hasMessageContaining("p.yaml:6")
                .hasMessageContaining("template python-dev, preset small, prebuilds.instances: "
                        + "must not be set with prebuilds.autoscale");
    }

    @Test
    void givenMissingTargetAndMax_bothAreReported() {
        assertThatThrownBy(() -> policyOf("{autoscale: {min: 2, lookback: 2w}}"))
                .isInstanceOf(InvalidDefinitionException.class)
                .hasMessageContaining("prebuilds.autoscale.target_hit_rate: is required")
                .hasMessageContaining("prebuilds.autoscale.max: is required")
                .hasMessageContaining("prebuilds.autoscale.lookback: '2w' is not a duration");
    }

    @Test
    void unknownKeys_inTheBlock_areShapeErrorsWithASuggestion() {
        assertThat(PresetsYamlTest.errorsOf(FILE.formatted("{autoscale: {target_hitrate: 0.9, max: 3}}")))
                .anySatisfy(e -> assertThat(e.message()).contains("did you mean 'target_hit_rate'?"));
    }
}

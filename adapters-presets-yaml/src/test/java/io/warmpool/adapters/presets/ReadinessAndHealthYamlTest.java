package io.warmpool.adapters.presets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.domain.Liveness;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.Readiness;
import io.warmpool.domain.definition.InvalidDefinitionException;
import io.warmpool.domain.definition.PresetsValidator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code prebuilds.readiness} (R10) and {@code prebuilds.health} (R11), read and validated. */
class ReadinessAndHealthYamlTest {

    private static PrebuildPolicy policyOf(String prebuilds) {
        var input = PresetsYaml.parse("""
                templates:
                  - name: python-dev
                    version: v3
                    presets:
                      - name: small
                        prebuilds: %s
                """.formatted(prebuilds), "p.yaml");
        return PresetsValidator.validate(input).templates().get(0).presets().get(0).policy();
    }

    @Test
    void givenReadinessAndHealth_theyBecomeThePolicy() {
        PrebuildPolicy policy = policyOf("{instances: 2, readiness: {check: provisioner, timeout: 90s},"
                + " health: {interval: 30s, unhealthy_after: 3}}");
        assertThat(policy.readiness()).isEqualTo(new Readiness(Readiness.Check.PROVISIONER, Duration.ofSeconds(90)));
        assertThat(policy.health()).isEqualTo(new Liveness(Duration.ofSeconds(30), 3));
    }

    @Test
    void givenOnlyTheCheck_defaultsAreTenMinutesAndOneMinuteTwice() {
        PrebuildPolicy policy = policyOf("{instances: 1, readiness: {check: agent}, health: {}}");
        assertThat(policy.readiness()).isEqualTo(new Readiness(Readiness.Check.AGENT, Duration.ofMinutes(10)));
        assertThat(policy.health()).isEqualTo(new Liveness(Duration.ofMinutes(1), 2));
    }

    @Test
    void givenNeither_thePolicyHasNoChecks() {
        PrebuildPolicy policy = policyOf("{instances: 1}");
        assertThat(policy.readiness()).isNull();
        assertThat(policy.health()).isNull();
    }

    @Test
    void badValues_areRejectedNamingTemplateAndPreset() {
        assertThatThrownBy(() -> policyOf("{instances: 1, readiness: {check: ping, timeout: 0s},"
                + " health: {interval: -1m, unhealthy_after: 0}}"))
                .isInstanceOf(InvalidDefinitionException.class)
                .hasMessageContaining("template python-dev")
                .hasMessageContaining("preset small, prebuilds.readiness.check: must be provisioner or agent, got ping")
                .hasMessageContaining("prebuilds.readiness.timeout")
                .hasMessageContaining("prebuilds.health.interval")
                .hasMessageContaining("prebuilds.health.unhealthy_after: must be between 1 and 1000, got 0");
    }

    @Test
    void unknownKeys_inTheBlocks_areShapeErrors() {
        assertThat(PresetsYamlTest.errorsOf("""
                templates:
                  - name: t
                    version: v1
                    presets:
                      - {name: a, prebuilds: {instances: 1, readiness: {check: agent, tmeout: 1m}}}
                """)).anySatisfy(e -> assertThat(e.message()).contains("tmeout"));
    }
}

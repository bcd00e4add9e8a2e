package io.warmpool.bootstrap.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.Latency;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.Life;
import io.warmpool.application.port.out.Health;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.config.SimulatedProvisionerYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated provisioner's life settings in --simulated-config files and in scenarios. */
class ScenarioLifeTest {

    @TempDir
    Path dir;

    @Test
    void withoutLifeKeys_theProvisionerHasNoLife_asBefore() throws Exception {
        Path file = Files.writeString(dir.resolve("sim.yaml"), "create_latency: 5s\n");

        assertThat(SimulatedProvisionerYaml.read(file).life()).isEqualTo(Life.NONE);
        assertThat(SimulatedProvisionerYaml.read(Path.of(examples(), "simulated-provisioner.yaml")).life())
                .isEqualTo(Life.NONE);
    }

    @Test
    void everyLifeKeyIsReadFromASimulatedConfigFile() throws Exception {
        Path file = Files.writeString(dir.resolve("sim.yaml"), """
                readiness_latency: {min: 1m, max: 4m}
                deaths_per_hour: 0.05
                death_status: unhealthy
                claim_latency: 2s
                claim_failure_rate: 0.01
                """);

        assertThat(SimulatedProvisionerYaml.read(file).life()).isEqualTo(new Life(
                Latency.uniform(Duration.ofMinutes(1), Duration.ofMinutes(4)), 0.05, Health.UNHEALTHY,
                Latency.fixed(Duration.ofSeconds(2)), 0.01));
    }

    @Test
    void aScenariosProvisionerSectionTakesTheSameKeys() throws Exception {
        Path file = Files.writeString(dir.resolve("scenario.yaml"), """
                start: 2026-03-02T00:00:00Z
                provisioner:
                  create_latency: 1m
                  readiness_latency: 3m
                  deaths_per_hour: 0.5
                claims:
                  python-dev/small: {per_hour: 4}
                """);

        SimulatedProvisionerConfig provisioner = Scenario.read(file).provisioner();

        assertThat(provisioner.life()).isEqualTo(new Life(Latency.fixed(Duration.ofMinutes(3)), 0.5, Health.GONE,
                Latency.fixed(Duration.ZERO), 0));
        assertThat(provisioner.life().tracksWorkspaces()).isTrue();
        assertThat(provisioner.life().claims()).isFalse();
    }

    @Test
    void badLifeValuesNameTheFileAndTheField() {
        assertThatThrownBy(() -> SimulatedProvisionerYaml.fromMap(Map.of("death_status", "ready"), "sim.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sim.yaml: death_status must be gone or unhealthy");
        assertThatThrownBy(() -> SimulatedProvisionerYaml.fromMap(Map.of("deaths_per_hour", "often"), "sim.yaml"))
                .hasMessageContaining("deaths_per_hour must be a number");
        assertThatThrownBy(() -> SimulatedProvisionerYaml.fromMap(Map.of("claim_failure_rate", 2), "sim.yaml"))
                .hasMessageContaining("claim_failure_rate must be between 0 and 1");
        assertThatThrownBy(() -> SimulatedProvisionerYaml.fromMap(Map.of("readiness_latency", "soon"), "sim.yaml"))
                .hasMessageContaining("readiness_latency");
        assertThatThrownBy(() -> SimulatedProvisionerYaml.fromMap(Map.of("ready_latency", "1m"), "sim.yaml"))
                .hasMessageContaining("unknown key 'ready_latency'").hasMessageContaining("readiness_latency");
    }

    private static String examples() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("examples"))) {
                return d.resolve("examples").toString();
            }
        }
        throw new IllegalStateException("examples not found");
    }
}

package io.warmpool.bootstrap.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

    @TempDir
    Path dir;

    @Test
    void flagsWinOverEnvironmentWhichWinsOverTheFileWhichWinsOverDefaults() throws Exception {
        Path file = dir.resolve("warmpool.yaml");
        Files.writeString(file, "workers: 7\nreconcile-interval: 30s\nfailure-hard-limit: 9\n");
        Config config = Config.load(
                Map.of(Setting.WORKERS, "2"),
                Map.of("WARMPOOL_WORKERS", "3", "WARMPOOL_RECONCILE_INTERVAL", "45s"),
                file);
        assertThat(config.integer(Setting.WORKERS, 1, 64)).isEqualTo(2);
        assertThat(config.source(Setting.WORKERS)).isEqualTo(Config.Source.FLAG);
        assertThat(config.duration(Setting.RECONCILE_INTERVAL)).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.integer(Setting.FAILURE_HARD_LIMIT, 0, 1000)).isEqualTo(9);
        assertThat(config.duration(Setting.FAILED_RETENTION)).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.source(Setting.FAILED_RETENTION)).isEqualTo(Config.Source.DEFAULT);
    }

    @Test
    void everyDefaultOfTheSpecTable() {
        Config config = Config.load(Map.of(), Map.of(), null);
        assertThat(config.string(Setting.STATE_DIR)).isEqualTo("./.warmpool");
        assertThat(config.string(Setting.HTTP_ADDR)).isEqualTo("127.0.0.1:8080");
        assertThat(config.string(Setting.PROVISIONER)).isEqualTo("simulated");
        assertThat(config.duration(Setting.RECONCILE_INTERVAL)).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.string(Setting.BACKOFF_POLICY)).isEqualTo("linear");
        assertThat(config.duration(Setting.BACKOFF_INTERVAL)).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.duration(Setting.BACKOFF_MAX)).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.decimal(Setting.BACKOFF_MULTIPLIER)).isEqualByComparingTo("2");
        assertThat(config.string(Setting.BACKOFF_JITTER)).isEqualTo("none");
        assertThat(config.integer(Setting.FAILURE_HARD_LIMIT, 0, 1000)).isEqualTo(3);
        assertThat(config.integer(Setting.MAX_IN_FLIGHT_CREATES_PER_PRESET, 1, 1000)).isEqualTo(5);
        assertThat(config.integer(Setting.MAX_PENDING_JOBS, 1, 1_000_000)).isEqualTo(200);
        assertThat(config.integer(Setting.WORKERS, 1, 64)).isEqualTo(4);
        assertThat(config.duration(Setting.JOB_HEARTBEAT_TIMEOUT)).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.duration(Setting.EVENTS_RETENTION)).isEqualTo(Duration.ofDays(30));
        assertThat(config.string(Setting.SERVER)).isEqualTo("http://127.0.0.1:8080");
        assertThat(config.text(Setting.DB_URL)).isEmpty();
    }

    @Test
    void badValuesNameTheSettingAndWhereTheValueCameFrom() throws Exception {
        Path file = dir.resolve("warmpool.yaml");
        Files.writeString(file, "workers: many\n");
        Config config = Config.load(Map.of(Setting.RECONCILE_INTERVAL, "soon"), Map.of("WARMPOOL_BACKOFF_JITTER", "lots"), file);
        assertThatThrownBy(() -> config.integer(Setting.WORKERS, 1, 64))
                .hasMessage(file + ": workers: must be a whole number, got 'many'");
        assertThatThrownBy(() -> config.duration(Setting.RECONCILE_INTERVAL))
                .hasMessageStartingWith("--reconcile-interval: 'soon' is not a duration");
        assertThatThrownBy(() -> config.choice(Setting.BACKOFF_JITTER, "none", "full", "equal"))
                .hasMessage("WARMPOOL_BACKOFF_JITTER: must be one of none, full, equal, got 'lots'");
    }

    @Test
    void unknownKeysAndBrokenYamlInTheFileAreRejected() throws Exception {
        Path file = dir.resolve("warmpool.yaml");
        Files.writeString(file, "workerz: 3\n");
        assertThatThrownBy(() -> Config.load(Map.of(), Map.of(), file)).hasMessageContaining("unknown setting 'workerz'");
        Files.writeString(file, "workers: [1,\n");
        assertThatThrownBy(() -> Config.load(Map.of(), Map.of(), file)).hasMessageContaining("is not valid YAML");
    }

    @Test
    void listsInTheFileBecomeJsonArrays() throws Exception {
        Path file = dir.resolve("warmpool.yaml");
        Files.writeString(file, "command-create: [./create.sh, \"--flag with space\"]\n");
        assertThat(Config.load(Map.of(), Map.of(), file).string(Setting.COMMAND_CREATE))
                .isEqualTo("[\"./create.sh\",\"--flag with space\"]");
    }

    @Test
    void settingNamesMapToFlagsAndVariables() {
        assertThat(Setting.MAX_IN_FLIGHT_CREATES_PER_PRESET.flag()).isEqualTo("--max-in-flight-creates-per-preset");
        assertThat(Setting.MAX_IN_FLIGHT_CREATES_PER_PRESET.envName()).isEqualTo("WARMPOOL_MAX_IN_FLIGHT_CREATES_PER_PRESET");
    }
}

package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.adapters.provisioner.CommandProvisionerConfig;
import io.warmpool.adapters.provisioner.HttpProvisionerConfig;
import io.warmpool.application.service.EventRetentionSettings;
import io.warmpool.application.service.ReconcileSettings;
import io.warmpool.application.service.WorkerSettings;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.wiring.Settings;
import io.warmpool.bootstrap.wiring.Settings.ProvisionerKind;
import io.warmpool.domain.backoff.BackoffSettings;
import io.warmpool.domain.backoff.FailurePolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Defaults are written once: an empty configuration parses to exactly the rules' typed defaults, and the
 * provisioner knobs an operator may need are reachable through settings.
 */
class SettingsDefaultsTest {

    private static Settings settings(Map<Setting, String> flags) {
        return Settings.from(Config.load(flags, Map.of(), null));
    }

    @Test
    void anEmptyConfiguration_parsesToTheRulesOwnDefaults() {
        Settings s = settings(Map.of());

        assertThat(s.reconcile()).isEqualTo(ReconcileSettings.DEFAULTS);
        assertThat(s.worker()).isEqualTo(WorkerSettings.DEFAULTS);
        assertThat(s.eventRetention()).isEqualTo(EventRetentionSettings.DEFAULTS);
        assertThat(s.backoff()).isEqualTo(BackoffSettings.defaults());
        assertThat(s.failureHardLimit()).isEqualTo(FailurePolicy.DEFAULT_HARD_LIMIT);
        assertThat(s.reconcileInterval()).isEqualTo(ReconcileSettings.DEFAULT_INTERVAL);
        assertThat(s.provisioner()).isEqualTo(ProvisionerKind.SIMULATED);
        assertThat(s.embeddedDbRecoveryTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void theDefaultsHelpShows_areTheTypedDefaultsRendered() {
        assertThat(Setting.FAILED_RETENTION.defaultValue()).contains("15m");
        assertThat(Setting.EVENTS_RETENTION.defaultValue()).contains("30d");
        assertThat(Setting.JOB_HEARTBEAT_TIMEOUT.defaultValue()).contains("1m");
        assertThat(Setting.RECONCILE_INTERVAL.defaultValue()).contains("15s");
        assertThat(Setting.BACKOFF_POLICY.defaultValue()).contains("linear");
        assertThat(Setting.BACKOFF_INTERVAL.defaultValue()).contains("15s");
        assertThat(Setting.BACKOFF_JITTER.defaultValue()).contains("none");
        assertThat(Setting.FAILURE_HARD_LIMIT.defaultValue()).contains("3");
        assertThat(Setting.MAX_PENDING_JOBS.defaultValue()).contains("200");
        assertThat(Setting.MAX_IN_FLIGHT_CREATES_PER_PRESET.defaultValue()).contains("5");
    }

    @Test
    void theProvisionerIsAnEnum_andAnUnknownOneIsRejectedNamingTheChoices() {
        assertThat(settings(Map.of(Setting.PROVISIONER, "COMMAND")).provisioner()).isEqualTo(ProvisionerKind.COMMAND);
        assertThat(settings(Map.of(Setting.PROVISIONER, "terraform")).provisioner()).isEqualTo(ProvisionerKind.TERRAFORM);
        assertThatThrownBy(() -> settings(Map.of(Setting.PROVISIONER, "pulumi")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--provisioner")
                .hasMessageContaining("simulated, command, http, terraform");
    }

    @Test
    void commandMaxConcurrent_defaultsToTheWorkers_andCanBeSet() {
        Map<Setting, String> flags = new HashMap<>(Map.of(Setting.PROVISIONER, "command", Setting.WORKERS, "9",
                Setting.COMMAND_CREATE, "[\"./create.sh\"]", Setting.COMMAND_DELETE, "[\"./delete.sh\"]"));
        CommandProvisionerConfig byDefault = commandConfig(flags);
        assertThat(byDefault.maxConcurrent()).isEqualTo(9);

        flags.put(Setting.COMMAND_MAX_CONCURRENT, "2");
        assertThat(commandConfig(flags).maxConcurrent()).isEqualTo(2);

        flags.put(Setting.COMMAND_MAX_CONCURRENT, "0");
        assertThatThrownBy(() -> commandConfig(flags)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--command-max-concurrent");
    }

    @Test
    void httpProvisionerMaxAttempts_isThreeByDefault_andCanBeSet() {
        Map<Setting, String> flags = new HashMap<>(Map.of(Setting.PROVISIONER, "http",
                Setting.HTTP_PROVISIONER_URL, "https://provisioner.example/hook", Setting.HTTP_PROVISIONER_SECRET, "a-test-secret-of-32-bytes-length"));
        assertThat(httpConfig(flags).retry().maxAttempts()).isEqualTo(3);

        flags.put(Setting.HTTP_PROVISIONER_MAX_ATTEMPTS, "1");
        assertThat(httpConfig(flags).retry().maxAttempts()).isEqualTo(1);

        flags.put(Setting.HTTP_PROVISIONER_MAX_ATTEMPTS, "11");
        assertThatThrownBy(() -> httpConfig(flags)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--http-provisioner-max-attempts");
    }

    private static CommandProvisionerConfig commandConfig(Map<Setting, String> flags) {
        Settings s = settings(flags);
        return Composition.commandConfig(s.config(), s.workers());
    }

    private static HttpProvisionerConfig httpConfig(Map<Setting, String> flags) {
        return Composition.httpConfig(settings(flags).config());
    }
}

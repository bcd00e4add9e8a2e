package io.warmpool.bootstrap.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.service.EventRetentionSettings;
import io.warmpool.bootstrap.wiring.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --events-retention}: 30 days by default, 0 keeps events forever, otherwise at least an hour. */
class EventsRetentionSettingTest {

    private static Settings settings(Map<Setting, String> flags, Map<String, String> env) {
        return Settings.from(Config.load(flags, env, null));
    }

    @Test
    void byDefault_eventsAreKeptThirtyDays_prunedInBatchesOfTenThousand() {
        EventRetentionSettings retention = settings(Map.of(), Map.of()).eventRetention();

        assertThat(retention.retention()).isEqualTo(Duration.ofDays(30));
        assertThat(retention.enabled()).isTrue();
        assertThat(retention.batchSize()).isEqualTo(10_000);
    }

    @Test
    void givenZero_eventsAreKeptForever() {
        assertThat(settings(Map.of(Setting.EVENTS_RETENTION, "0"), Map.of()).eventRetention().enabled()).isFalse();
    }

    @Test
    void givenTheEnvironmentVariable_itIsUsed() {
        assertThat(settings(Map.of(), Map.of("WARMPOOL_EVENTS_RETENTION", "7d")).eventRetention().retention())
                .isEqualTo(Duration.ofDays(7));
        assertThat(settings(Map.of(Setting.EVENTS_RETENTION, "1h"), Map.of()).eventRetention().retention())
                .isEqualTo(Duration.ofHours(1));
    }

    @Test
    void givenLessThanAnHourButNotZero_itIsRejectedNamingTheSetting() {
        assertThatThrownBy(() -> settings(Map.of(Setting.EVENTS_RETENTION, "59m59s"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--events-retention")
                .hasMessageContaining("must be 0 (keep events forever) or at least 1h, got 59m59s");
        assertThatThrownBy(() -> settings(Map.of(), Map.of("WARMPOOL_EVENTS_RETENTION", "forever")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WARMPOOL_EVENTS_RETENTION");
    }
}

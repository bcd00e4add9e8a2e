package io.warmpool.bootstrap.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.adapters.http.HttpLimits;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpServerSettingsTest {

    @TempDir
    Path dir;

    @Test
    void withNothingSet_theDefaultsAreHttpLimitsDefaults_andNoExtraHosts() {
        Settings settings = Settings.from(Config.load(Map.of(), Map.of(), null));

        assertThat(settings.http().limits()).isEqualTo(HttpLimits.defaults());
        assertThat(settings.http().allowedHosts()).isEmpty();
    }

    @Test
    void flagsAndEnvironmentSetEveryLimit_andACommaSeparatedHostList() {
        Settings settings = Settings.from(Config.load(Map.of(Setting.HTTP_HEADER_TIMEOUT, "2s",
                        Setting.HTTP_BODY_TIMEOUT, "5s", Setting.ALLOWED_HOSTS, " Warmpool.Example.org , proxy:8443"),
                Map.of("WARMPOOL_HTTP_IDLE_TIMEOUT", "1m", "WARMPOOL_HTTP_MAX_CONNECTIONS", "100",
                        "WARMPOOL_HTTP_MAX_UNAUTHENTICATED", "8"), null));

        assertThat(settings.http().limits()).isEqualTo(new HttpLimits(Duration.ofMinutes(1), Duration.ofSeconds(2),
                Duration.ofSeconds(5), 100, 8));
        assertThat(settings.http().allowedHosts()).containsExactly("warmpool.example.org", "proxy:8443");
    }

    @Test
    void theFileMayGiveTheHostsAsAYamlList() throws Exception {
        Path file = Files.writeString(dir.resolve("warmpool.yaml"), "allowed-hosts: [a.example, \"b.example:8080\"]\n");

        assertThat(Settings.from(Config.load(Map.of(), Map.of(), file)).http().allowedHosts())
                .isEqualTo(List.of("a.example", "b.example:8080"));
    }
}

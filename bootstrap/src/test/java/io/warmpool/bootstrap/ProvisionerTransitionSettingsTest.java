package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.adapters.provisioner.CommandProvisionerConfig;
import io.warmpool.adapters.provisioner.HttpProvisionerConfig;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.config.Setting;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings of the check and claim transitions and of the http provisioner's per-transition timeouts. */
class ProvisionerTransitionSettingsTest {

    private static Map<Setting, String> command() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.COMMAND_CREATE, "[\"./p.sh\", \"create\"]");
        flags.put(Setting.COMMAND_DELETE, "[\"./p.sh\", \"delete\"]");
        return flags;
    }

    private static Map<Setting, String> http() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.HTTP_PROVISIONER_URL, "http://127.0.0.1:9/provision");
        flags.put(Setting.HTTP_PROVISIONER_SECRET, "0123456789abcdef0123456789abcdef");
        return flags;
    }

    @Test
    void givenNoCheckOrClaimCommand_theCommandProvisionerHasNeither() {
        CommandProvisionerConfig config = Composition.commandConfig(Config.load(command(), Map.of(), null), 4);

        assertThat(config.checkCommand()).isNull();
        assertThat(config.claimCommand()).isNull();
    }

    @Test
    void givenCheckAndClaimCommands_theyAreArgvLists_fromFlagsOrEnvironment() {
        Map<Setting, String> flags = command();
        flags.put(Setting.COMMAND_CHECK, "[\"./p.sh\", \"check\", \"--fast\"]");

        CommandProvisionerConfig config = Composition.commandConfig(Config.load(flags,
                Map.of("WARMPOOL_COMMAND_CLAIM", "[\"./p.sh\", \"claim\"]"), null), 4);

        assertThat(config.checkCommand()).containsExactly("./p.sh", "check", "--fast");
        assertThat(config.claimCommand()).containsExactly("./p.sh", "claim");
    }

    @Test
    void aCheckCommandGivenAsAShellString_isRejectedNamingTheSetting() {
        Map<Setting, String> flags = command();
        flags.put(Setting.COMMAND_CHECK, "./p.sh check");

        assertThatThrownBy(() -> Composition.commandConfig(Config.load(flags, Map.of(), null), 4))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--command-check")
                .hasMessageContaining("argv, never a shell string");
    }

    @Test
    void theHttpTimeoutsDefaultPerTransition() {
        HttpProvisionerConfig config = Composition.httpConfig(Config.load(http(), Map.of(), null));

        assertThat(config.timeouts()).isEqualTo(new HttpProvisionerConfig.Timeouts(Duration.ofMinutes(30),
                Duration.ofMinutes(30), Duration.ofSeconds(30), Duration.ofSeconds(60)));
        assertThat(List.of(Setting.CREATE_TIMEOUT, Setting.DELETE_TIMEOUT, Setting.CHECK_TIMEOUT, Setting.CLAIM_TIMEOUT))
                .extracting(s -> s.defaultValue().orElseThrow()).containsExactly("30m", "30m", "30s", "1m");
    }

    @Test
    void theHttpTimeoutsAreSetPerTransition() {
        Map<Setting, String> flags = http();
        flags.put(Setting.CREATE_TIMEOUT, "2h");
        flags.put(Setting.DELETE_TIMEOUT, "45m");
        flags.put(Setting.CHECK_TIMEOUT, "5s");
        flags.put(Setting.CLAIM_TIMEOUT, "90s");

        assertThat(Composition.httpConfig(Config.load(flags, Map.of(), null)).timeouts())
                .isEqualTo(new HttpProvisionerConfig.Timeouts(Duration.ofHours(2), Duration.ofMinutes(45),
                        Duration.ofSeconds(5), Duration.ofSeconds(90)));
    }

    @Test
    void aZeroTimeout_isRejectedNamingTheSetting() {
        Map<Setting, String> flags = http();
        flags.put(Setting.CLAIM_TIMEOUT, "0s");

        assertThatThrownBy(() -> Composition.httpConfig(Config.load(flags, Map.of(), null)))
                .hasMessageContaining("--claim-timeout").hasMessageContaining("must be more than 0");
    }

    @Test
    void theCallbackUrl_defaultsFromTheListenAddress_orComesFromPublicUrl() {
        Map<Setting, String> flags = http();
        flags.put(Setting.HTTP_ADDR, "127.0.0.1:9191");
        assertThat(Composition.httpConfig(Config.load(flags, Map.of(), null)).callbackUrl(42))
                .hasToString("http://127.0.0.1:9191/api/v1/builds/42/complete");

        flags.put(Setting.PUBLIC_URL, "https://warmpool.example.com/pool/");
        assertThat(Composition.httpConfig(Config.load(flags, Map.of(), null)).callbackUrl(42))
                .hasToString("https://warmpool.example.com/pool/api/v1/builds/42/complete");
    }

    @Test
    void aPublicUrlThatIsNotAnAbsoluteHttpUrl_isRejectedNamingTheSetting() {
        for (String bad : List.of("warmpool.example", "ftp://warmpool.example", "http://x y")) {
            Map<Setting, String> flags = http();
            flags.put(Setting.PUBLIC_URL, bad);

            assertThatThrownBy(() -> Composition.httpConfig(Config.load(flags, Map.of(), null))).as(bad)
                    .hasMessageContaining("public-url");
        }
    }

    @Test
    void theHttpReceiversTransitions_defaultToCreateAndDelete_andAreListedToAddCheckAndClaim() {
        Map<Setting, String> flags = http();
        assertThat(Composition.httpConfig(Config.load(flags, Map.of(), null)).transitions())
                .containsExactlyInAnyOrder(io.warmpool.application.port.out.Transition.CREATE,
                        io.warmpool.application.port.out.Transition.DELETE);

        flags.put(Setting.HTTP_PROVISIONER_TRANSITIONS, "create, delete,claim,check");
        assertThat(Composition.httpConfig(Config.load(flags, Map.of(), null)).transitions())
                .containsExactlyInAnyOrder(io.warmpool.application.port.out.Transition.values());
    }

    @Test
    void aTransitionsListWithoutCreateAndDeleteOrWithAnUnknownName_isRejectedNamingTheSetting() {
        for (String bad : List.of("create,claim", "create,delete,refresh", "")) {
            Map<Setting, String> flags = http();
            flags.put(Setting.HTTP_PROVISIONER_TRANSITIONS, bad);

            assertThatThrownBy(() -> Composition.httpConfig(Config.load(flags, Map.of(), null))).as(bad)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("http-provisioner-transitions");
        }
    }
}
